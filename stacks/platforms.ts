import { candlefish } from "./candlefish/platform";
import { freeside } from "./freeside/platform";
import { meetingNotes } from "./meeting-notes/platform";
import type { PlatformDefinition } from "./registry";

/** Every platform of the repository, in the order `main.ts` builds them. Add a platform here (README: How to add a platform). */
export const PLATFORMS: readonly PlatformDefinition[] = [meetingNotes, freeside, candlefish];
