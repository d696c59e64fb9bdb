//! Shared by the integration tests: a deterministic generator (no RNG crate, same inputs on every
//! run and every machine).

#![allow(dead_code, clippy::indexing_slicing, clippy::cast_possible_truncation)]

/// xorshift64*.
pub struct Gen(pub u64);

impl Gen {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// One of `xs`.
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }

    /// One of `xs`, for any copyable value.
    pub fn choose<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[(self.next() % xs.len() as u64) as usize]
    }

    /// Up to `max` bytes drawn from `alphabet`.
    pub fn bytes(&mut self, alphabet: &[u8], max: u64) -> Vec<u8> {
        let len = (self.next() % max) as usize;
        (0..len)
            .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize])
            .collect()
    }
}

/// Bytes from lower- or upper-case hex.
pub fn unhex(s: &str) -> Vec<u8> {
    proto::field::unhex(s).unwrap()
}
