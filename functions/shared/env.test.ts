import { describe, expect, test } from "vitest";
import { requireEnv, requireEnvHttpsUrl, requireEnvInteger, requireEnvMatching } from "./env";
import { FunctionError, InvalidEnvironmentVariableError, MissingEnvironmentVariableError } from "./errors";

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
}

describe("requireEnv", () => {
  test("returns the trimmed value", () => {
    expect(requireEnv("A", { A: " value " })).toBe("value");
  });

  test.each([
    ["unset", {}],
    ["empty", { SECRET_ARN: "" }],
    ["blank", { SECRET_ARN: "   " }],
  ])("%s: throws an error that names the variable", (_label, env) => {
    const error = thrown(() => requireEnv("SECRET_ARN", env));
    expect(error).toBeInstanceOf(MissingEnvironmentVariableError);
    expect(error).toBeInstanceOf(FunctionError);
    expect(error.name).toBe("MissingEnvironmentVariableError");
    expect((error as MissingEnvironmentVariableError).variable).toBe("SECRET_ARN");
    expect(error.message).toBe(
      "Environment variable SECRET_ARN is not set. The function cannot start without it; set it in the function's configuration.",
    );
  });

  test("reads process.env by default", () => {
    process.env.SHARED_ENV_TEST = "from-process";
    try {
      expect(requireEnv("SHARED_ENV_TEST")).toBe("from-process");
    } finally {
      delete process.env.SHARED_ENV_TEST;
    }
  });
});

describe("requireEnvMatching", () => {
  test("returns a value that matches", () => {
    expect(requireEnvMatching("ID", /^g-\d+$/, "must be g- and digits", "Fix it.", { ID: "g-12" })).toBe(
      "g-12",
    );
  });

  test("names the variable, the rule, the value and the fix", () => {
    const error = thrown(() =>
      requireEnvMatching("ID", /^g-\d+$/, "must be g- and digits", "Fix it.", { ID: "x" }),
    );
    expect(error).toBeInstanceOf(InvalidEnvironmentVariableError);
    expect(error.name).toBe("InvalidEnvironmentVariableError");
    expect((error as InvalidEnvironmentVariableError).variable).toBe("ID");
    expect(error.message).toBe('Environment variable ID must be g- and digits, got "x". Fix it.');
  });

  test("a missing variable is missing, not invalid", () => {
    expect(thrown(() => requireEnvMatching("ID", /x/, "r", "f", {}))).toBeInstanceOf(
      MissingEnvironmentVariableError,
    );
  });
});

describe("requireEnvInteger", () => {
  test.each([
    ["1", 1],
    ["30", 30],
    [" 7 ", 7],
  ])("accepts %j", (raw, value) => {
    expect(requireEnvInteger("N", { min: 1, max: 30 }, { N: raw })).toBe(value);
  });

  test.each(["0", "31", "1.5", "1e1", "ten", "0x10"])("rejects %j with the limits in the message", (raw) => {
    expect(thrown(() => requireEnvInteger("N", { min: 1, max: 30 }, { N: raw })).message).toBe(
      `Environment variable N must be a whole number from 1 to 30, got ${JSON.stringify(raw)}. Set it to a whole number from 1 to 30.`,
    );
  });

  test("says where the limits come from, and gives the caller's fix", () => {
    expect(
      thrown(() => requireEnvInteger("N", { min: 1, max: 30, why: "a month", fix: "Use 30." }, { N: "99" }))
        .message,
    ).toBe('Environment variable N must be a whole number from 1 to 30 (a month), got "99". Use 30.');
  });
});

describe("requireEnvHttpsUrl", () => {
  test.each([
    ["https://example.com/", "https://example.com"],
    ["https://example.com/a/b//", "https://example.com/a/b"],
    ["https://example.com", "https://example.com"],
  ])("%s is read as %s", (raw, value) => {
    expect(requireEnvHttpsUrl("URL", "must be https", "Fix it.", { URL: raw })).toBe(value);
  });

  test.each(["http://example.com", "https://example.com/?a=1", "https://example.com/#x", "not a url"])(
    "rejects %j",
    (raw) => {
      expect(thrown(() => requireEnvHttpsUrl("URL", "must be https", "Fix it.", { URL: raw })).message).toBe(
        `Environment variable URL must be https, got ${JSON.stringify(raw)}. Fix it.`,
      );
    },
  );
});

describe("FunctionError", () => {
  test("keeps its cause and its own name", () => {
    const cause = new Error("sdk");
    const error = new FunctionError("failed", { cause });
    expect(error.name).toBe("FunctionError");
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
  });
});
