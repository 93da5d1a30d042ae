//! Reading files from the workspace's git history (`git:REV:PATH` sources of
//! the `diff` and `dispatch` stages) straight from the repository's object
//! store, without the `git` program: the prebuilt image holds the binary and
//! CA roots only. Reads only; never changes the repository.
//!
//! What it understands: a `.git` folder or a `gitdir:` file (worktrees, with
//! `commondir`); loose objects and version-2 pack indexes with their packs,
//! offset and reference deltas included; loose and packed refs. Revisions:
//! a full or abbreviated object id, `HEAD`, a branch, tag or remote branch
//! (`origin/main`) as `git rev-parse` looks names up, followed by any number
//! of `~N` or `^` (first parent). SHA-1 repositories only.

use anyhow::{Context, Result, bail};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Longest delta chain followed; git itself writes at most 50 by default.
const MAX_DELTA_DEPTH: usize = 512;

/// A file as it is at `rev`: exact bytes, like `git cat-file blob REV:PATH`.
pub fn read_at(workspace: &Path, rev: &str, path: &str, limit: u64) -> Result<Vec<u8>> {
    if rev.is_empty() || rev.starts_with('-') || path.starts_with('-') {
        bail!(
            "git:{rev}:{path} is not a revision and path (use git:REV:PATH, e.g. git:origin/main:openapi.yaml)"
        );
    }
    let path = path.trim_start_matches("./");
    let repo = Repo::open(workspace)?;
    let commit = repo.resolve(rev).with_context(|| {
        format!(
            "git cannot read {rev}:{path} in {}: no revision {rev:?} (in GitHub Actions, check out with `fetch-depth: 0` so older commits are present)",
            workspace.display()
        )
    })?;
    let mut tree = repo.tree_of(&commit)?;
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    for (i, part) in parts.iter().enumerate() {
        let Some((mode, id)) = tree_entry(&tree, part) else {
            bail!(
                "{rev}:{path} does not exist (no {part:?} in {})",
                parts[..i].join("/")
            );
        };
        let last = i + 1 == parts.len();
        let (kind, bytes) = repo.object(&id)?;
        match (last, kind) {
            (false, Kind::Tree) => tree = bytes,
            (true, Kind::Blob) if mode != "160000" => {
                if bytes.len() as u64 > limit {
                    bail!(
                        "{rev}:{path} is {} bytes, larger than the limit of {limit} bytes",
                        bytes.len()
                    );
                }
                return Ok(bytes);
            }
            _ => bail!("{rev}:{path} is not a file"),
        }
    }
    bail!("{rev}:{path} is not a file")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Commit,
    Tree,
    Blob,
    Tag,
}

impl Kind {
    fn from_name(name: &[u8]) -> Option<Kind> {
        match name {
            b"commit" => Some(Kind::Commit),
            b"tree" => Some(Kind::Tree),
            b"blob" => Some(Kind::Blob),
            b"tag" => Some(Kind::Tag),
            _ => None,
        }
    }

    fn from_pack(code: u8) -> Option<Kind> {
        match code {
            1 => Some(Kind::Commit),
            2 => Some(Kind::Tree),
            3 => Some(Kind::Blob),
            4 => Some(Kind::Tag),
            _ => None,
        }
    }
}

/// One repository: its own git dir (HEAD) and the common dir (objects, refs).
struct Repo {
    git_dir: PathBuf,
    common_dir: PathBuf,
}

impl Repo {
    /// The repository of `workspace`, or of the nearest folder above it.
    fn open(workspace: &Path) -> Result<Repo> {
        let mut dir = Some(workspace);
        while let Some(here) = dir {
            let dot_git = here.join(".git");
            if dot_git.is_dir() {
                return Ok(Repo::at(dot_git));
            }
            if dot_git.is_file() {
                let text = std::fs::read_to_string(&dot_git)?;
                let target = text
                    .strip_prefix("gitdir:")
                    .map(str::trim)
                    .with_context(|| format!("{} is not a gitdir: file", dot_git.display()))?;
                return Ok(Repo::at(here.join(target)));
            }
            dir = here.parent();
        }
        bail!(
            "{} is not inside a git repository (in GitHub Actions, run actions/checkout first)",
            workspace.display()
        )
    }

    fn at(git_dir: PathBuf) -> Repo {
        let common_dir = std::fs::read_to_string(git_dir.join("commondir"))
            .map(|c| git_dir.join(c.trim()))
            .unwrap_or_else(|_| git_dir.clone());
        Repo {
            git_dir,
            common_dir,
        }
    }

    /// The commit `rev` names (tags peeled).
    fn resolve(&self, rev: &str) -> Result<String> {
        let split = rev.find(['~', '^']).unwrap_or(rev.len());
        let (name, mut suffix) = rev.split_at(split);
        let mut id = self.name_to_id(name)?;
        id = self.peel(&id)?;
        while !suffix.is_empty() {
            let (steps, rest) = if let Some(rest) = suffix.strip_prefix('~') {
                let digits =
                    rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let n = if digits == 0 {
                    1
                } else {
                    rest[..digits].parse()?
                };
                (n, &rest[digits..])
            } else if let Some(rest) = suffix.strip_prefix('^') {
                let rest = rest.strip_prefix('1').unwrap_or(rest);
                (1, rest)
            } else {
                bail!("{rev:?}: only ~N and ^ are understood after a name");
            };
            for _ in 0..steps {
                id = self.first_parent(&id)?;
            }
            suffix = rest;
        }
        Ok(id)
    }

    fn name_to_id(&self, name: &str) -> Result<String> {
        let candidates = [
            name.to_owned(),
            format!("refs/{name}"),
            format!("refs/tags/{name}"),
            format!("refs/heads/{name}"),
            format!("refs/remotes/{name}"),
            format!("refs/remotes/{name}/HEAD"),
        ];
        for candidate in &candidates {
            if let Some(id) = self.read_ref(candidate, 0)? {
                return Ok(id);
            }
        }
        if name.len() >= 4 && name.len() <= 40 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
            return self.expand_id(&name.to_ascii_lowercase());
        }
        bail!("no ref or object named {name:?}")
    }

    /// A ref's object id, following symbolic refs; loose files first, then
    /// packed-refs.
    fn read_ref(&self, name: &str, depth: u8) -> Result<Option<String>> {
        if depth > 5 || name.contains("..") || name.starts_with('/') {
            return Ok(None);
        }
        for dir in [&self.git_dir, &self.common_dir] {
            let path = dir.join(name);
            if path.is_file() {
                let text = std::fs::read_to_string(&path)?;
                let text = text.trim();
                if let Some(target) = text.strip_prefix("ref:") {
                    return self.read_ref(target.trim(), depth + 1);
                }
                if is_full_id(text) {
                    return Ok(Some(text.to_owned()));
                }
            }
        }
        let Ok(packed) = std::fs::read_to_string(self.common_dir.join("packed-refs")) else {
            return Ok(None);
        };
        Ok(packed.lines().find_map(|line| {
            let (id, refname) = line.split_once(' ')?;
            (refname == name && is_full_id(id)).then(|| id.to_owned())
        }))
    }

    /// A full id from an abbreviated one; ambiguity is an error.
    fn expand_id(&self, prefix: &str) -> Result<String> {
        let mut found: Vec<String> = Vec::new();
        let loose = self.common_dir.join("objects").join(&prefix[..2]);
        if let Ok(entries) = std::fs::read_dir(&loose) {
            for entry in entries.flatten() {
                let id = format!("{}{}", &prefix[..2], entry.file_name().to_string_lossy());
                if id.starts_with(prefix) && is_full_id(&id) {
                    found.push(id);
                }
            }
        }
        for index in self.pack_indexes()? {
            found.extend(index.ids_with_prefix(prefix));
        }
        found.sort();
        found.dedup();
        match found.as_slice() {
            [one] => Ok(one.clone()),
            [] => bail!("no object {prefix}"),
            _ => bail!("{prefix} is ambiguous ({} objects)", found.len()),
        }
    }

    /// Annotated tags peeled to what they point at, until a commit.
    fn peel(&self, id: &str) -> Result<String> {
        let mut id = id.to_owned();
        for _ in 0..10 {
            let (kind, bytes) = self.object(&id)?;
            match kind {
                Kind::Commit => return Ok(id),
                Kind::Tag => id = header_field(&bytes, "object")?,
                _ => bail!("{id} is not a commit"),
            }
        }
        bail!("{id}: tags nested too deep")
    }

    fn first_parent(&self, commit: &str) -> Result<String> {
        let (_, bytes) = self.object(commit)?;
        header_field(&bytes, "parent").with_context(|| format!("{commit} has no parent"))
    }

    fn tree_of(&self, commit: &str) -> Result<Vec<u8>> {
        let (_, bytes) = self.object(commit)?;
        let tree = header_field(&bytes, "tree")?;
        let (kind, tree) = self.object(&tree)?;
        if kind != Kind::Tree {
            bail!("{commit}'s tree is not a tree");
        }
        Ok(tree)
    }

    /// An object's kind and content, loose or packed.
    fn object(&self, id: &str) -> Result<(Kind, Vec<u8>)> {
        if !is_full_id(id) {
            bail!("{id:?} is not an object id");
        }
        let loose = self
            .common_dir
            .join("objects")
            .join(&id[..2])
            .join(&id[2..]);
        if loose.is_file() {
            return read_loose(&loose).with_context(|| format!("reading object {id}"));
        }
        let raw = hex::decode(id)?;
        for index in self.pack_indexes()? {
            if let Some(offset) = index.offset_of(&raw) {
                let mut pack = BufReader::new(File::open(&index.pack)?);
                return self
                    .packed(&mut pack, offset, 0)
                    .with_context(|| format!("reading object {id} from {}", index.pack.display()));
            }
        }
        bail!(
            "object {id} is not in the repository (a shallow clone? check out with `fetch-depth: 0`)"
        )
    }

    fn pack_indexes(&self) -> Result<Vec<PackIndex>> {
        let dir = self.common_dir.join("objects").join("pack");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(Vec::new());
        };
        let mut indexes = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "idx") {
                indexes.push(PackIndex::read(&path)?);
            }
        }
        Ok(indexes)
    }

    /// The object at `offset` of a pack, its deltas applied.
    fn packed(
        &self,
        pack: &mut BufReader<File>,
        offset: u64,
        depth: usize,
    ) -> Result<(Kind, Vec<u8>)> {
        if depth > MAX_DELTA_DEPTH {
            bail!("delta chain longer than {MAX_DELTA_DEPTH}");
        }
        pack.seek(SeekFrom::Start(offset))?;
        let mut byte = read_byte(pack)?;
        let code = (byte >> 4) & 7;
        let mut size = u64::from(byte & 0x0f);
        let mut shift = 4;
        while byte & 0x80 != 0 {
            byte = read_byte(pack)?;
            size |= u64::from(byte & 0x7f) << shift;
            shift += 7;
        }
        let base = match code {
            6 => {
                let mut byte = read_byte(pack)?;
                let mut back = u64::from(byte & 0x7f);
                while byte & 0x80 != 0 {
                    byte = read_byte(pack)?;
                    back = ((back + 1) << 7) | u64::from(byte & 0x7f);
                }
                Some(Base::Offset(
                    offset.checked_sub(back).context("bad delta offset")?,
                ))
            }
            7 => {
                let mut id = [0u8; 20];
                pack.read_exact(&mut id)?;
                Some(Base::Id(hex::encode(id)))
            }
            _ => None,
        };
        let data = inflate(pack, size)?;
        match base {
            None => Ok((
                Kind::from_pack(code).context("unknown pack object type")?,
                data,
            )),
            Some(base) => {
                let (kind, source) = match base {
                    Base::Offset(at) => self.packed(pack, at, depth + 1)?,
                    Base::Id(id) => self.object(&id)?,
                };
                Ok((kind, apply_delta(&source, &data)?))
            }
        }
    }
}

enum Base {
    Offset(u64),
    Id(String),
}

/// A version-2 pack index, read whole (ids and offsets; a few MB even for
/// large repositories).
struct PackIndex {
    pack: PathBuf,
    ids: Vec<u8>,
    offsets: Vec<u8>,
    large: Vec<u8>,
    count: usize,
}

impl PackIndex {
    fn read(path: &Path) -> Result<PackIndex> {
        let bytes = std::fs::read(path)?;
        let bad = || anyhow::anyhow!("{} is not a version-2 pack index", path.display());
        if bytes.len() < 8 + 1024 || bytes[..8] != [0xff, b't', b'O', b'c', 0, 0, 0, 2] {
            return Err(bad());
        }
        let count = be32(&bytes[8 + 255 * 4..]) as usize;
        let ids_at = 8 + 1024;
        let offsets_at = ids_at + count * 24;
        let large_at = offsets_at + count * 4;
        if bytes.len() < large_at + 40 {
            return Err(bad());
        }
        Ok(PackIndex {
            pack: path.with_extension("pack"),
            ids: bytes[ids_at..ids_at + count * 20].to_vec(),
            offsets: bytes[offsets_at..large_at].to_vec(),
            large: bytes[large_at..bytes.len() - 40].to_vec(),
            count,
        })
    }

    fn id(&self, i: usize) -> &[u8] {
        &self.ids[i * 20..i * 20 + 20]
    }

    fn offset_of(&self, id: &[u8]) -> Option<u64> {
        let (mut lo, mut hi) = (0, self.count);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.id(mid).cmp(id) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(self.offset(mid)),
            }
        }
        None
    }

    fn offset(&self, i: usize) -> u64 {
        let small = be32(&self.offsets[i * 4..]);
        if small & 0x8000_0000 == 0 {
            return u64::from(small);
        }
        let at = (small & 0x7fff_ffff) as usize * 8;
        self.large.get(at..at + 8).map_or(u64::MAX, |b| {
            u64::from_be_bytes(b.try_into().expect("8 bytes"))
        })
    }

    fn ids_with_prefix(&self, prefix: &str) -> Vec<String> {
        (0..self.count)
            .map(|i| hex::encode(self.id(i)))
            .filter(|id| id.starts_with(prefix))
            .collect()
    }
}

fn be32(bytes: &[u8]) -> u32 {
    u32::from_be_bytes(bytes[..4].try_into().expect("4 bytes"))
}

fn read_byte(reader: &mut impl Read) -> Result<u8> {
    let mut byte = [0u8; 1];
    reader.read_exact(&mut byte)?;
    Ok(byte[0])
}

fn is_full_id(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Exactly `size` bytes of zlib data from the reader's position.
fn inflate(reader: &mut impl Read, size: u64) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(size.min(64 << 20) as usize);
    flate2::read::ZlibDecoder::new(reader)
        .take(size + 1)
        .read_to_end(&mut out)?;
    if out.len() as u64 != size {
        bail!("object inflates to {} bytes, expected {size}", out.len());
    }
    Ok(out)
}

fn read_loose(path: &Path) -> Result<(Kind, Vec<u8>)> {
    let mut data = Vec::new();
    flate2::read::ZlibDecoder::new(File::open(path)?).read_to_end(&mut data)?;
    let nul = data.iter().position(|&b| b == 0).context("no header")?;
    let header = &data[..nul];
    let space = header
        .iter()
        .position(|&b| b == b' ')
        .context("bad header")?;
    let kind = Kind::from_name(&header[..space]).context("unknown object type")?;
    Ok((kind, data[nul + 1..].to_vec()))
}

/// The value of the first `name ` line of a commit or tag header.
fn header_field(object: &[u8], name: &str) -> Result<String> {
    let text = String::from_utf8_lossy(object);
    text.lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(' ')))
        .map(|v| v.trim().to_owned())
        .filter(|v| is_full_id(v))
        .with_context(|| format!("no {name} in the object"))
}

/// The mode and id of the entry `name` of a tree.
fn tree_entry(tree: &[u8], name: &str) -> Option<(String, String)> {
    let mut rest = tree;
    while !rest.is_empty() {
        let space = rest.iter().position(|&b| b == b' ')?;
        let nul = rest.iter().position(|&b| b == 0)?;
        let id = rest.get(nul + 1..nul + 21)?;
        if &rest[space + 1..nul] == name.as_bytes() {
            let mode = String::from_utf8_lossy(&rest[..space]).into_owned();
            return Some((mode, hex::encode(id)));
        }
        rest = &rest[nul + 21..];
    }
    None
}

/// A git delta (copy and insert instructions) applied to `source`.
fn apply_delta(source: &[u8], delta: &[u8]) -> Result<Vec<u8>> {
    let mut at = 0;
    let varint = |at: &mut usize| -> Result<usize> {
        let mut value = 0usize;
        let mut shift = 0;
        loop {
            let byte = *delta.get(*at).context("truncated delta")?;
            *at += 1;
            value |= usize::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 || shift > 56 {
                return Ok(value);
            }
        }
    };
    let source_size = varint(&mut at)?;
    let target_size = varint(&mut at)?;
    if source_size != source.len() {
        bail!(
            "delta base is {} bytes, expected {source_size}",
            source.len()
        );
    }
    let mut out = Vec::with_capacity(target_size);
    while at < delta.len() {
        let op = delta[at];
        at += 1;
        if op & 0x80 != 0 {
            let mut field = |bits: u8, first_shift: u32| -> Result<usize> {
                let mut value = 0usize;
                for i in 0..bits {
                    if op & (1 << (first_shift as u8 + i)) != 0 {
                        value |= usize::from(*delta.get(at).context("truncated delta")?) << (8 * i);
                        at += 1;
                    }
                }
                Ok(value)
            };
            let offset = field(4, 0)?;
            let size = match field(3, 4)? {
                0 => 0x10000,
                n => n,
            };
            let chunk = source
                .get(offset..offset + size)
                .context("delta copies past its base")?;
            out.extend_from_slice(chunk);
        } else if op != 0 {
            let chunk = delta
                .get(at..at + usize::from(op))
                .context("truncated delta")?;
            out.extend_from_slice(chunk);
            at += usize::from(op);
        } else {
            bail!("delta has a reserved instruction");
        }
    }
    if out.len() != target_size {
        bail!("delta made {} bytes, expected {target_size}", out.len());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_copy_and_insert() {
        let source = b"hello, world";
        // source 12, target 11: copy 7 bytes from 0 ("hello, "), insert "git!".
        let delta = [12, 11, 0x80 | 0x10, 7, 4, b'g', b'i', b't', b'!'];
        assert_eq!(apply_delta(source, &delta).unwrap(), b"hello, git!");
        assert!(apply_delta(b"short", &delta).is_err());
    }

    #[test]
    fn tree_entries_are_found_by_name() {
        let mut tree = b"100644 a.yaml\0".to_vec();
        tree.extend([1u8; 20]);
        tree.extend(b"40000 api\0");
        tree.extend([2u8; 20]);
        assert_eq!(
            tree_entry(&tree, "api"),
            Some(("40000".into(), "02".repeat(20)))
        );
        assert_eq!(tree_entry(&tree, "a.yaml").unwrap().0, "100644");
        assert_eq!(tree_entry(&tree, "b"), None);
    }

    /// Every blob of this checkout's HEAD commit's spec examples reads as
    /// `git cat-file` reads it, whether packed or loose (skipped, and said
    /// so, when the source tree is not a git checkout or git is missing).
    #[test]
    fn reads_what_git_reads_in_this_checkout() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let Ok(out) = std::process::Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["cat-file", "blob", "HEAD~1:Cargo.toml"])
            .output()
        else {
            eprintln!("SKIPPED: no git program to compare with");
            return;
        };
        if !out.status.success() {
            eprintln!(
                "SKIPPED: {} is not a git checkout with history",
                root.display()
            );
            return;
        }
        let ours = read_at(root, "HEAD~1", "Cargo.toml", 1 << 20).unwrap();
        assert_eq!(ours, out.stdout);
        // Older commits live in packs, mostly as deltas.
        for rev in ["HEAD~3", "HEAD~8", "HEAD~15", "HEAD^^"] {
            for path in ["README.md", "src/lib.rs", "action.yml"] {
                let object = format!("{rev}:{path}");
                let git = std::process::Command::new("git")
                    .arg("-C")
                    .arg(root)
                    .args(["cat-file", "blob", &object])
                    .output()
                    .unwrap();
                if git.status.success() {
                    assert_eq!(
                        read_at(root, rev, path, 1 << 24).unwrap(),
                        git.stdout,
                        "{object}"
                    );
                }
            }
        }
        let head = read_at(root, "HEAD", "./src/lib.rs", 1 << 20).unwrap();
        assert!(String::from_utf8(head).unwrap().contains("pub mod"));
        assert!(read_at(root, "HEAD", "no/such/file", 1 << 20).is_err());
        assert!(read_at(root, "no-such-rev", "Cargo.toml", 1 << 20).is_err());
        assert!(read_at(root, "HEAD", "src", 1 << 20).is_err());
    }
}
