// Runtime conformance: sends every synthesised call through the generated
// client to a Prism mock server and checks what Prism made of the request.
// Node 20, no dependencies.
//
//   node tests/node/conformance.mjs PACKAGE_DIR CALLS_JSON BASE_URL
//
// CALLS_JSON comes from synthesize-calls.mjs: [{resource, method, operation,
// args, auth, skip?}]. For each call a Client is made with {baseUrl, auth,
// retries: 0, fetch}, where `fetch` wraps the global fetch and records each
// response's status and `sl-violations` header (success results carry no
// headers, so this is how the test sees them; retries are off so there is
// exactly one response per call). Then `client[resource][method](args)` (no
// arguments when `args` is null).
//
// A call passes when: it resolves (or, if it throws, the response status is
// still < 400, e.g. a body the client could not decode is reported as such),
// the status is < 400, and `sl-violations` holds no entry with severity
// "Error" whose location starts with "request". Response-side findings
// (Prism checking its own mock) are listed but do not fail the call.
//
// Prints a JSON report on stdout: {baseUrl, total, passed, failed, skipped,
// calls: [...]}. Exit code 0 when every non-skipped call passed, 1 otherwise,
// 2 on usage errors.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const [packageDir, callsPath, baseUrl] = process.argv.slice(2);
if (!packageDir || !callsPath || !baseUrl) {
  console.error("usage: conformance.mjs PACKAGE_DIR CALLS_JSON BASE_URL");
  process.exit(2);
}
const { Client } = await import(pathToFileURL(resolve(packageDir, "index.js")).href);
const calls = JSON.parse(readFileSync(callsPath, "utf8"));

/** Turns the JSON markers of synthesize-calls.mjs back into objects. */
function revive(value) {
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === "object") {
    if (typeof value.$binary === "string") {
      return new Blob([new TextEncoder().encode(value.$binary)], { type: value.type ?? "application/octet-stream" });
    }
    if (value.$credential === true) {
      // Works as a token (String(c), `${c}`) and as basic {username, password}.
      return { username: "user", password: "pass", toString: () => "test-credential" };
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
  }
  return value;
}

function parseViolations(raw) {
  if (!raw) return [];
  try {
    const parsed = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    return [{ severity: "Error", location: ["request"], message: `unparseable sl-violations header: ${raw}` }];
  }
}

const isRequestError = (v) =>
  v?.severity === "Error" && (Array.isArray(v.location) ? v.location[0] === "request" : String(v.location ?? "").startsWith("request"));

const results = [];
for (const call of calls) {
  const entry = { resource: call.resource, method: call.method, operation: call.operation };
  if (call.skip) {
    results.push({ ...entry, outcome: "skipped", reason: call.skip });
    continue;
  }
  const responses = [];
  const recordingFetch = async (url, init) => {
    const response = await fetch(url, init);
    responses.push({
      url: String(url),
      status: response.status,
      violations: parseViolations(response.headers.get("sl-violations")),
    });
    return response;
  };
  const client = new Client({ baseUrl, auth: revive(call.auth ?? {}), retries: 0, timeoutMs: 20000, fetch: recordingFetch });
  const fn = client[call.resource]?.[call.method];
  let error;
  let problemValidation = [];
  if (typeof fn !== "function") {
    error = `client.${call.resource}.${call.method} is not a function`;
  } else {
    try {
      const args = call.args === null ? undefined : revive(call.args);
      await (call.args === null ? fn.call(client[call.resource]) : fn.call(client[call.resource], args));
    } catch (e) {
      // Without a declared response for the status, Prism answers with its own
      // application/problem+json body listing the findings in `validation`.
      if (e?.name === "ApiError" && Array.isArray(e.body?.validation)) {
        // Its locations there lack the "request" prefix (["body"], ["query", "x"]).
        problemValidation = e.body.validation.map((v) => ({ ...v, location: ["request", ...[v.location ?? []].flat()] }));
      }
      error = e?.name === "ApiError" ? `ApiError ${e.status}: ${JSON.stringify(e.body).slice(0, 500)}` : `${e}${e?.cause ? ` (cause: ${e.cause})` : ""}`;
    }
  }
  const last = responses.at(-1);
  const requestErrors = [...(last?.violations ?? []), ...problemValidation].filter(isRequestError);
  const otherFindings = (last?.violations ?? []).filter((v) => !isRequestError(v));
  const problems = [];
  if (!last) problems.push(`no response: ${error}`);
  else {
    if (last.status >= 400) problems.push(`status ${last.status}`);
    if (requestErrors.length > 0) problems.push(`${requestErrors.length} request violation(s)`);
    if (error && last.status < 400) problems.push(`client error on a ${last.status}: ${error}`);
  }
  results.push({
    ...entry,
    outcome: problems.length === 0 ? "passed" : "failed",
    url: last?.url,
    status: last?.status,
    ...(problems.length ? { problems, error } : {}),
    ...(requestErrors.length ? { requestViolations: requestErrors } : {}),
    ...(otherFindings.length ? { otherFindings } : {}),
  });
}

const count = (o) => results.filter((r) => r.outcome === o).length;
const report = { baseUrl, total: results.length, passed: count("passed"), failed: count("failed"), skipped: count("skipped"), calls: results };
process.stdout.write(JSON.stringify(report, null, 2) + "\n");
process.exit(report.failed > 0 ? 1 : 0);
