//! `publish`: every package built and checked before anything is sent.
//! Pure: the SDK folders' files and the build time arrive as values.

use super::Observed;
use super::request::{PublishRequest, Request};
use crate::layout::display_path;
use crate::publish::npm_registry;
use crate::publish::npm_tarball::{self, NpmTarball};
use crate::publish::pyproject::{self, PyProject};
use crate::publish::sdist::{self, Sdist};
use crate::publish::wheel::{self, Wheel};
use crate::stages::shape::{Decide, Describe};
use anyhow::{Context as _, Result};

/// Everything that will be uploaded, built and checked.
pub struct Plan {
    /// The request validated against the workspace (see `observe`).
    pub request: Request,
    pub build_time: u64,
    pub npm: Option<NpmPlan>,
    pub pypi: Option<PypiPlan>,
}

/// The npm package; where it goes is the request's ([`super::request::NpmRequest`]).
pub struct NpmPlan {
    pub tarball: NpmTarball,
    pub tag: String,
}

/// The Python distributions; where they go is the request's
/// ([`super::request::PypiRequest`]).
pub struct PypiPlan {
    pub project: PyProject,
    pub wheel: Wheel,
    pub sdist: Sdist,
}

impl Decide for Plan {
    type Request = PublishRequest;
    type Observed = Observed;
    fn decide(_inputs: &PublishRequest, observed: Observed) -> Result<Self> {
        plan(
            observed.request,
            observed.typescript.as_ref(),
            observed.python.as_ref(),
            observed.build_time,
        )
    }
}

/// Builds every package (pure: the folders' files are passed in).
pub fn plan(
    request: Request,
    typescript: Option<&crate::publish::PackageFiles>,
    python: Option<&crate::publish::PackageFiles>,
    build_time: u64,
) -> Result<Plan> {
    let npm = match (&request.npm, typescript) {
        (Some(npm), Some(files)) => {
            let tarball = npm_tarball::build(files, build_time)
                .with_context(|| format!("packing {}", display_path(&npm.folder)))?;
            let tag = npm
                .tag
                .clone()
                .unwrap_or_else(|| npm_registry::default_tag(&tarball.version).to_owned());
            Some(NpmPlan { tarball, tag })
        }
        _ => None,
    };
    let pypi = match (&request.pypi, python) {
        (Some(pypi), Some(files)) => {
            let at = || format!("building {}", display_path(&pypi.folder));
            let project = pyproject::read(files).with_context(at)?;
            let wheel = wheel::build(&project, files, build_time).with_context(at)?;
            let sdist = sdist::build(&project, files, build_time).with_context(at)?;
            Some(PypiPlan {
                project,
                wheel,
                sdist,
            })
        }
        _ => None,
    };
    Ok(Plan {
        request,
        build_time,
        npm,
        pypi,
    })
}

impl Describe for Plan {
    /// What would go where.
    fn describe(&self) -> Vec<String> {
        describe(self)
    }
}

fn describe(plan: &Plan) -> Vec<String> {
    let mut lines = Vec::new();
    if let (Some(p), Some(npm)) = (&plan.npm, &plan.request.npm) {
        lines.push(format!(
            "publish {} ({} bytes, {}) to {} with tag {}{}",
            p.tarball.file_name(),
            p.tarball.bytes.len(),
            p.tarball.integrity,
            npm.registry,
            p.tag,
            npm.access
                .map(|a| format!(", access {}", a.as_str()))
                .unwrap_or_default()
        ));
    }
    if let (Some(p), Some(pypi)) = (&plan.pypi, &plan.request.pypi) {
        for (name, size, sha) in [
            (&p.wheel.file_name, p.wheel.bytes.len(), &p.wheel.sha256),
            (&p.sdist.file_name, p.sdist.bytes.len(), &p.sdist.sha256),
        ] {
            lines.push(format!(
                "upload {name} ({size} bytes, sha256 {sha}) to {}",
                pypi.upload_url
            ));
        }
    }
    lines
}
