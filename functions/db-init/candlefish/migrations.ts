/**
 * Candlefish's schema (README: Candlefish contracts). Append new migrations; never edit an applied one.
 */
import type { Migration } from "../migrations";

/**
 * The stages migration 2 seeds, in order: the environment's `stages` setting (and so the functions'
 * `STAGES`) must list exactly these. A change of stages is a new migration and a change here.
 */
export const CANDLEFISH_SEEDED_STAGES: readonly {
  readonly key: string;
  readonly requiresApproval: boolean;
}[] = [
  { key: "backlog", requiresApproval: false },
  { key: "ready", requiresApproval: false },
  { key: "in-progress", requiresApproval: false },
  { key: "review", requiresApproval: true },
  { key: "done", requiresApproval: true },
];

export const CANDLEFISH_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "create_stages_and_items",
    sql: `
CREATE TABLE stages (
  key text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9-]{0,39}$'),
  name text NOT NULL,
  position integer NOT NULL UNIQUE,
  requires_approval boolean NOT NULL DEFAULT false
);
CREATE TABLE items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
  stage text NOT NULL REFERENCES stages (key),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked', 'done')),
  blocked_since timestamptz,
  blocked_reason text,
  external_ref text UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'blocked') = (blocked_since IS NOT NULL))
);
CREATE INDEX items_stage_status ON items (stage, status);
CREATE INDEX items_blocked_since ON items (blocked_since) WHERE status = 'blocked';
CREATE TABLE stage_transitions (
  id bigserial PRIMARY KEY,
  item_id uuid NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  from_stage text REFERENCES stages (key),
  to_stage text NOT NULL REFERENCES stages (key),
  approved_by text,
  at timestamptz NOT NULL DEFAULT now()
);
`,
  },
  {
    version: 2,
    name: "seed_stages",
    sql: `
INSERT INTO stages (key, name, position, requires_approval) VALUES
  ('backlog', 'Backlog', 10, false),
  ('ready', 'Ready', 20, false),
  ('in-progress', 'In progress', 30, false),
  ('review', 'Review', 40, true),
  ('done', 'Done', 50, true)
ON CONFLICT (key) DO NOTHING;
`,
  },
  {
    version: 3,
    name: "create_unblock_reader",
    sql: `
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'candlefish_unblock') THEN
    CREATE ROLE candlefish_unblock LOGIN;
  END IF;
  -- Aurora and RDS: the role signs in with an IAM token (rds-db:connect), never a password.
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'rds_iam') THEN
    GRANT rds_iam TO candlefish_unblock;
  END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO candlefish_unblock;
GRANT SELECT (id, status, blocked_since) ON items TO candlefish_unblock;
`,
  },
  {
    version: 4,
    name: "create_api_login",
    sql: `
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'candlefish_api') THEN
    CREATE ROLE candlefish_api LOGIN;
  END IF;
  -- The Core API signs in with an IAM token of its task role (rds-db:connect), never a password.
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'rds_iam') THEN
    GRANT rds_iam TO candlefish_api;
  END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO candlefish_api;
GRANT SELECT ON stages TO candlefish_api;
GRANT SELECT, INSERT, UPDATE ON items TO candlefish_api;
GRANT SELECT, INSERT ON stage_transitions TO candlefish_api;
`,
  },
];
