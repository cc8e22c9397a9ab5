//! New ids: ULIDs from the current time and the operating system's random source.

use std::sync::Mutex;

use jiff::Timestamp;

use crate::model::Id;

const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The last id made in this process, so that ids made within one millisecond still sort in
/// the order they were made (the ULID spec's monotonic mode).
static LAST: Mutex<Option<(u64, u128)>> = Mutex::new(None);

/// A new ULID for an entity created at `now`. Two calls never return the same id, and ids made
/// later in one process sort after earlier ones.
pub fn new_id(now: Timestamp) -> Id {
    let millis = now.as_millisecond().clamp(0, (1 << 48) - 1) as u64;
    let mut random = [0u8; 10];
    // Without an OS random source, fall back to the hasher seeds std draws from it anyway.
    if getrandom::fill(&mut random).is_err() {
        use std::hash::{BuildHasher, RandomState};
        let a = RandomState::new().hash_one(millis).to_le_bytes();
        let b = RandomState::new().hash_one(!millis).to_le_bytes();
        random[..8].copy_from_slice(&a);
        random[8..].copy_from_slice(&b[..2]);
    }
    let mut value = random.iter().fold(0u128, |acc, b| (acc << 8) | *b as u128);
    let mut last = LAST.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut millis = millis;
    if let Some((last_millis, last_value)) = *last {
        if millis <= last_millis {
            millis = last_millis;
            value = (last_value + 1) & ((1u128 << 80) - 1);
            if value == 0 {
                millis += 1;
            }
        }
    }
    *last = Some((millis, value));
    let mut text = String::with_capacity(26);
    for i in (0..10).rev() {
        text.push(CROCKFORD[((millis >> (5 * i)) & 31) as usize] as char);
    }
    for i in (0..16).rev() {
        text.push(CROCKFORD[((value >> (5 * i)) & 31) as usize] as char);
    }
    Id::parse(&text).unwrap_or_else(|| unreachable_id(&text))
}

#[cold]
fn unreachable_id(text: &str) -> Id {
    // 48 bits of time and 80 of randomness always make a valid ULID; keep the library
    // panic-free all the same by falling back to the smallest one.
    debug_assert!(false, "made an invalid ULID: {text}");
    Id::parse("00000000000000000000000000").unwrap_or_else(|| unreachable!())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_valid_unique_time_prefixed_and_increasing() {
        let now: Timestamp = "2026-11-24T12:00:00Z".parse().expect("timestamp");
        let ids: Vec<Id> = (0..1000).map(|_| new_id(now)).collect();
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "monotonic within a millisecond"
        );
        assert_eq!(ids[0].millis(), now.as_millisecond() as u64);
        let second: Timestamp = "2026-11-24T12:00:01Z".parse().expect("timestamp");
        let later = new_id(second);
        assert_eq!(later.millis(), now.as_millisecond() as u64 + 1000);
        assert!(later > ids[999]);
    }
}
