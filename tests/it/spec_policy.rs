//! The one validation policy (`spec::policy`) end to end through `generate`
//! and `diff`: each survivable defect is a warning annotation at its file
//! and line, the SDKs apply the documented fallback, and `--strict` turns
//! the warning into an error. A meaningless spec (a `$ref` cycle with no
//! base case) fails either way.

use crate::support::runner::{Job, Run};

/// A small 3.1 spec; `{ops}` are extra lines under `paths` and `{extra}`
/// extra lines at the top level. Lines are fixed so tests can name them.
fn spec(version: &str, ops: &str, extra: &str) -> String {
    format!(
        "openapi: 3.1.0
info:
  title: Policy API
  version: '{version}'
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Pet'
{ops}components:
  schemas:
    Pet:
      type: object
      properties:
        name:
          type: string
{extra}"
    )
}

fn generate(text: &str, strict: bool) -> (Job, Run) {
    let mut job = Job::new("generate");
    std::fs::write(job.workspace().join("openapi.yaml"), text).unwrap();
    job.input("spec", "openapi.yaml")
        .remove_input("allow_http")
        .remove_input("allow_private_network");
    if strict {
        job.input("strict", "true");
    }
    let run = job.run();
    (job, run)
}

/// The one annotation line that carries `needle`: asserts its kind, file
/// and line, and returns it.
fn annotation<'r>(run: &'r Run, kind: &str, line: u32, needle: &str) -> &'r str {
    let hits: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("::") && l.contains(needle))
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "one annotation with {needle:?}:\n{}",
        run.stderr
    );
    let prefix = format!("::{kind} file=openapi.yaml,line={line},");
    assert!(
        hits[0].starts_with(&prefix),
        "expected {prefix}... got {}",
        hits[0]
    );
    hits[0]
}

/// The defect is a warning with its fallback; under `strict` the same
/// annotation is an error and nothing is generated.
fn warns_then_fails_strict(text: &str, line: u32, needle: &str, fallback: &str) -> Job {
    let (job, run) = generate(text, false);
    run.expect_code(0);
    let warning = annotation(&run, "warning", line, needle);
    assert!(warning.contains(fallback), "{warning}");
    let (strict_job, strict) = generate(text, true);
    strict.expect_code(1);
    annotation(&strict, "error", line, needle);
    assert!(!strict_job.exists("sdk"), "a failing run writes nothing");
    job
}

#[test]
fn an_undefined_security_scheme_is_skipped_for_that_operation() {
    let ops = "  /cats:
    get:
      operationId: listCats
      security:
        - nope: []
      responses:
        '204':
          description: none
";
    let job = warns_then_fails_strict(
        &spec("1.0.0", ops, ""),
        20,
        "security scheme 'nope' is not defined",
        "the scheme is skipped for this operation",
    );
    let client = job.read("sdk/typescript/client.d.ts");
    assert!(client.contains("class CatsResource"), "{client}");
    for file in [
        "sdk/typescript/client.js",
        "sdk/python/policy_api/client.py",
    ] {
        assert!(
            !job.read(file).contains("nope"),
            "{file} names the undefined scheme"
        );
    }
}

#[test]
fn an_empty_version_becomes_0_0_0_in_both_languages() {
    let job = warns_then_fails_strict(
        &spec("", "", ""),
        4,
        "info.version is empty",
        "the SDKs are versioned 0.0.0",
    );
    let package: serde_json::Value =
        serde_json::from_str(&job.read("sdk/typescript/package.json")).unwrap();
    assert_eq!(package["version"], "0.0.0");
    assert!(
        job.read("sdk/python/pyproject.toml")
            .contains("\nversion = \"0.0.0\"\n")
    );
}

#[test]
fn a_dangling_ref_becomes_an_unknown_type() {
    let extra = "    Owner:
      type: object
      properties:
        pet:
          $ref: '#/components/schemas/Missing'
";
    let job = warns_then_fails_strict(
        &spec("1.0.0", "", extra),
        27,
        "$ref '#/components/schemas/Missing'",
        "treated as unknown",
    );
    let models = job.read("sdk/typescript/models.d.ts");
    assert!(models.contains("pet?: unknown"), "{models}");
    let python = job.read("sdk/python/policy_api/models.py");
    assert!(
        python.contains("pet: Union[Any, Unset]") || python.contains("pet: Any"),
        "{python}"
    );
}

#[test]
fn duplicate_operation_ids_get_deduplicated_method_names() {
    let ops = "  /dogs:
    get:
      operationId: listPets
      tags: [pets]
      responses:
        '204':
          description: none
";
    let text = spec("1.0.0", ops, "").replace(
        "      operationId: listPets\n      responses:",
        "      operationId: listPets\n      tags: [pets]\n      responses:",
    );
    let job = warns_then_fails_strict(
        &text,
        19,
        "operationId 'listPets' is also used at",
        "deduplicated names",
    );
    let client = job.read("sdk/typescript/client.d.ts");
    // Both operations sit in the `pets` resource: `list` and `list2`.
    assert!(client.contains("  list(options?"), "{client}");
    assert!(client.contains("  list2(options?"), "{client}");
    let python = job.read("sdk/python/policy_api/client.py");
    assert!(
        python.contains("def list(") && python.contains("def list2("),
        "{python}"
    );
}

#[test]
fn an_unknown_format_is_a_plain_string() {
    let text = spec("1.0.0", "", "").replace(
        "        name:\n          type: string\n",
        "        name:\n          type: string\n          format: pet-name\n",
    );
    let job = warns_then_fails_strict(
        &text,
        23,
        "format 'pet-name' is not a registered format",
        "plain string",
    );
    let models = job.read("sdk/typescript/models.d.ts");
    assert!(models.contains("name?: string"), "{models}");
}

#[test]
fn a_ref_cycle_with_no_base_case_is_an_error_even_without_strict() {
    let extra = "    A:
      $ref: '#/components/schemas/B'
    B:
      $ref: '#/components/schemas/A'
";
    let (job, run) = generate(&spec("1.0.0", "", extra), false);
    run.expect_code(1).expect_stderr("$ref cycle");
    assert!(
        run.stderr.contains("::error file=openapi.yaml"),
        "{}",
        run.stderr
    );
    assert!(!job.exists("sdk"));
}

#[test]
fn diff_strict_has_the_same_meaning() {
    let mut job = Job::new("diff");
    let base = spec("1.0.0", "", "");
    let revision = spec("", "", "");
    std::fs::write(job.workspace().join("base.yaml"), &base).unwrap();
    std::fs::write(job.workspace().join("openapi.yaml"), &revision).unwrap();
    job.input("base", "base.yaml")
        .input("revision", "openapi.yaml");
    let run = job.run();
    run.expect_code(0);
    annotation(&run, "warning", 4, "info.version is empty");
    job.input("strict", "true");
    let run = job.run();
    run.expect_code(1);
    annotation(&run, "error", 4, "info.version is empty");
}
