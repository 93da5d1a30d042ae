//! The zip container of a wheel, for the `publish` stage. Pure.
//!
//! Hand-written rather than the `zip` crate: a wheel needs one shape of zip
//! (deflated regular files, no folders, no encryption, no Zip64), and writing
//! it here keeps every byte fixed (one timestamp, mode 0644, "made by Unix",
//! no extra fields) without the crate's compression and crypto dependencies.
//! The layout is PKWARE's APPNOTE: a local header and data per entry, then the
//! central directory, then the end-of-central-directory record.

use super::PackError;
use flate2::Compression;
use flate2::write::DeflateEncoder;
use std::io::Write;

const LOCAL_HEADER: u32 = 0x0403_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_CENTRAL_DIRECTORY: u32 = 0x0605_4b50;
/// 2.0: the version that introduced deflate.
const VERSION_NEEDED: u16 = 20;
/// Unix (3) in the high byte, so readers take the mode from the external attributes.
const VERSION_MADE_BY: u16 = (3 << 8) | VERSION_NEEDED;
/// Bit 11: names are UTF-8.
const FLAG_UTF8: u16 = 0x0800;
const METHOD_DEFLATE: u16 = 8;
/// A regular file, rw-r--r--, in the high 16 bits.
const EXTERNAL_ATTRIBUTES: u32 = 0o100_644 << 16;

/// An MS-DOS date and time, the only timestamp a plain zip entry has:
/// 1980 to 2107, two-second steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DosDateTime {
    pub date: u16,
    pub time: u16,
}

impl DosDateTime {
    /// `unix_seconds` in UTC, clamped into the years a DOS date can hold.
    pub fn from_unix(unix_seconds: u64) -> DosDateTime {
        let t = time::OffsetDateTime::from_unix_timestamp(unix_seconds.min(i64::MAX as u64) as i64)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        let (year, month, day, hour, minute, second) = if t.year() < 1980 {
            (1980, 1, 1, 0, 0, 0)
        } else if t.year() > 2107 {
            (2107, 12, 31, 23, 59, 58)
        } else {
            (
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
            )
        };
        DosDateTime {
            date: (((year - 1980) as u16) << 9) | (u16::from(month) << 5) | u16::from(day),
            time: (u16::from(hour) << 11) | (u16::from(minute) << 5) | u16::from(second / 2),
        }
    }
}

/// A zip of `entries` (path, contents), in the order given, all deflated and
/// stamped `when`.
pub fn write<'a>(
    entries: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    when: DosDateTime,
) -> Result<Vec<u8>, PackError> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let mut count: u16 = 0;
    for (name, data) in entries {
        count = count
            .checked_add(1)
            .ok_or_else(|| too_big("more than 65535 files"))?;
        let offset = fits_u32(out.len(), "the archive")?;
        let compressed = deflate(data)?;
        let crc = crc32(data);
        let sizes = (
            fits_u32(compressed.len(), name)?,
            fits_u32(data.len(), name)?,
        );
        let name_len = u16::try_from(name.len()).map_err(|_| too_big("a path over 65535 bytes"))?;

        put32(&mut out, LOCAL_HEADER);
        put16(&mut out, VERSION_NEEDED);
        common_fields(&mut out, when, crc, sizes, name_len);
        put16(&mut out, 0); // extra field length
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&compressed);

        put32(&mut central, CENTRAL_HEADER);
        put16(&mut central, VERSION_MADE_BY);
        put16(&mut central, VERSION_NEEDED);
        common_fields(&mut central, when, crc, sizes, name_len);
        put16(&mut central, 0); // extra field length
        put16(&mut central, 0); // comment length
        put16(&mut central, 0); // disk number
        put16(&mut central, 0); // internal attributes
        put32(&mut central, EXTERNAL_ATTRIBUTES);
        put32(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = fits_u32(out.len(), "the archive")?;
    let central_size = fits_u32(central.len(), "the central directory")?;
    out.extend_from_slice(&central);
    put32(&mut out, END_OF_CENTRAL_DIRECTORY);
    put16(&mut out, 0); // this disk
    put16(&mut out, 0); // disk with the central directory
    put16(&mut out, count);
    put16(&mut out, count);
    put32(&mut out, central_size);
    put32(&mut out, central_offset);
    put16(&mut out, 0); // comment length
    Ok(out)
}

/// Flags through name length, shared by the local and central headers.
fn common_fields(
    out: &mut Vec<u8>,
    when: DosDateTime,
    crc: u32,
    (compressed, size): (u32, u32),
    name_len: u16,
) {
    put16(out, FLAG_UTF8);
    put16(out, METHOD_DEFLATE);
    put16(out, when.time);
    put16(out, when.date);
    put32(out, crc);
    put32(out, compressed);
    put32(out, size);
    put16(out, name_len);
}

fn deflate(data: &[u8]) -> Result<Vec<u8>, PackError> {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
    encoder
        .write_all(data)
        .and_then(|_| encoder.finish())
        .map_err(|e| PackError::Archive(e.to_string()))
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(data);
    crc.sum()
}

fn fits_u32(n: usize, what: &str) -> Result<u32, PackError> {
    u32::try_from(n).map_err(|_| too_big(&format!("{what} is over 4 GiB")))
}

fn too_big(what: &str) -> PackError {
    PackError::Archive(format!("a wheel cannot hold this: {what} (no Zip64)"))
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Read;

    /// One entry as a reader sees it through the central directory.
    #[derive(Debug)]
    pub(crate) struct Entry {
        pub name: String,
        pub data: Vec<u8>,
        pub external_attributes: u32,
        pub made_by: u16,
        pub date: u16,
        pub time: u16,
    }

    fn u16_at(b: &[u8], at: usize) -> u16 {
        u16::from_le_bytes([b[at], b[at + 1]])
    }

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
    }

    /// Reads a zip the way unzip does: from the end record to the central
    /// directory to each local header; checks sizes and CRCs on the way.
    pub(crate) fn read(bytes: &[u8]) -> Vec<Entry> {
        let end = bytes.len() - 22;
        assert_eq!(u32_at(bytes, end), END_OF_CENTRAL_DIRECTORY);
        let count = u16_at(bytes, end + 10) as usize;
        let mut at = u32_at(bytes, end + 16) as usize;
        let mut entries = Vec::new();
        for _ in 0..count {
            assert_eq!(u32_at(bytes, at), CENTRAL_HEADER);
            let name_len = u16_at(bytes, at + 28) as usize;
            let local = u32_at(bytes, at + 42) as usize;
            let name = String::from_utf8(bytes[at + 46..at + 46 + name_len].to_vec()).unwrap();
            assert_eq!(u32_at(bytes, local), LOCAL_HEADER);
            let compressed = u32_at(bytes, local + 18) as usize;
            let size = u32_at(bytes, local + 22) as usize;
            let start = local + 30 + u16_at(bytes, local + 26) as usize;
            let mut data = Vec::new();
            flate2::read::DeflateDecoder::new(&bytes[start..start + compressed])
                .read_to_end(&mut data)
                .unwrap();
            assert_eq!(data.len(), size);
            assert_eq!(crc32(&data), u32_at(bytes, local + 14), "crc of {name}");
            entries.push(Entry {
                name,
                data,
                external_attributes: u32_at(bytes, at + 38),
                made_by: u16_at(bytes, at + 4),
                date: u16_at(bytes, at + 14),
                time: u16_at(bytes, at + 12),
            });
            at += 46 + name_len;
        }
        entries
    }

    #[test]
    fn round_trips_with_fixed_metadata() {
        let when = DosDateTime::from_unix(1_767_225_600); // 2026-01-01T00:00:00Z
        let bytes = write(
            [
                ("a/b.py", b"print(1)\n".as_slice()),
                ("empty", b"".as_slice()),
            ],
            when,
        )
        .unwrap();
        let entries = read(&bytes);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].name, "a/b.py");
        assert_eq!(entries[0].data, b"print(1)\n");
        assert_eq!(entries[1].data, b"");
        for e in &entries {
            assert_eq!(e.external_attributes >> 16, 0o100_644);
            assert_eq!(e.made_by >> 8, 3);
            assert_eq!((e.date >> 9) + 1980, 2026);
            assert_eq!((e.date >> 5) & 0xf, 1);
            assert_eq!(e.date & 0x1f, 1);
            assert_eq!(e.time, 0);
        }
    }

    #[test]
    fn dates_clamp_to_the_dos_range() {
        let epoch = DosDateTime::from_unix(0);
        assert_eq!(epoch.date, (1 << 5) | 1, "1980-01-01");
        assert_eq!(epoch.time, 0);
        let far = DosDateTime::from_unix(10_000_000_000); // year 2286
        assert_eq!(far.date >> 9, 127);
        let t = DosDateTime::from_unix(1_700_000_001); // 2023-11-14T22:13:21Z
        assert_eq!(t.time, (22 << 11) | (13 << 5) | 10);
    }
}
