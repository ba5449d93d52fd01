//! The lab's admin token: a random secret in {data_dir}/lab/shop/admin-token (mode 0600)
//! that the shop's admin endpoints require as `Authorization: Bearer <token>`.

use std::io::{Read as _, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use super::ShopError;

/// Where the token lives for the lab whose data dir is `data_dir`.
pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("lab").join("shop").join("admin-token")
}

/// The lab's token, created (random, 0600) when there is none yet.
pub fn ensure(data_dir: &Path) -> Result<String, ShopError> {
    let file = path(data_dir);
    if let Ok(token) = read(data_dir) {
        return Ok(token);
    }
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| ShopError::io("could not create", dir, e))?;
    }
    let mut bytes = [0u8; 24];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| ShopError::io("could not read", "/dev/urandom", e))?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let tmp = file.with_extension(format!("tmp-{}", std::process::id()));
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| ShopError::io("could not create", &tmp, e))?;
    out.write_all(token.as_bytes())
        .and_then(|()| out.sync_all())
        .map_err(|e| ShopError::io("could not write", &tmp, e))?;
    // Two processes racing both write a valid token; the one renamed last wins and the
    // loser re-reads it below, so they agree.
    std::fs::rename(&tmp, &file).map_err(|e| ShopError::io("could not replace", &file, e))?;
    read(data_dir)
}

/// The existing token.
pub fn read(data_dir: &Path) -> Result<String, ShopError> {
    let file = path(data_dir);
    let text = std::fs::read_to_string(&file)
        .map_err(|e| ShopError::io("could not read the admin token", &file, e))?;
    let token = text.trim().to_string();
    if token.is_empty() {
        return Err(ShopError::io(
            "empty admin token in",
            &file,
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "delete it; the next `labtui up` makes a new one",
            ),
        ));
    }
    Ok(token)
}

/// Compare a presented token with the expected one without an early exit.
pub fn matches(expected: &str, presented: &str) -> bool {
    let (a, b) = (expected.as_bytes(), presented.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    #[test]
    fn the_token_is_private_stable_and_compared_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let token = ensure(dir.path()).unwrap();
        assert_eq!(token.len(), 48);
        assert_eq!(ensure(dir.path()).unwrap(), token);
        let mode = std::fs::metadata(path(dir.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(matches(&token, &token));
        assert!(!matches(&token, &token[1..]));
        assert!(!matches(&token, &token.replace(&token[..1], "z")));
    }
}
