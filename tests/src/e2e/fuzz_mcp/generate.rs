//! A deterministic generator of hostile input: a `SplitMix64` stream turned into bytes, text,
//! numbers and JSON biased towards the words the server reacts to. The same seed gives the
//! same inputs on every run and machine, so a failure names a case that can be replayed.

use serde_json::{Map, Number, Value, json};

/// Keys and strings the parsers react to: operators, system fields and their look-alikes,
/// dotted and malformed paths, argument names of the tools.
const WORDS: [&str; 48] = [
    "$and",
    "$or",
    "$not",
    "$eq",
    "$ne",
    "$gt",
    "$gte",
    "$lt",
    "$lte",
    "$in",
    "$nin",
    "$exists",
    "$regex",
    "$where",
    "$set",
    "$unset",
    "$inc",
    "$push",
    "$pull",
    "$addToSet",
    "$each",
    "$slice",
    "$",
    "id",
    "tenantId",
    "createdAt",
    "updatedAt",
    "deletedAt",
    "revision",
    "access",
    "Access",
    "acc\u{200b}ess",
    "title",
    "a",
    "a.b",
    "a.0",
    "a..b",
    ".a",
    "a.$b",
    "items.10001",
    "projectId",
    "collectionName",
    "filter",
    "modifier",
    "data",
    "cursor",
    "jsonrpc",
    "",
];

pub struct Gen(u64);

impl Gen {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn bytes(&mut self, max: usize) -> Vec<u8> {
        let len = self.below(max + 1);
        (0..len).map(|_| self.next().to_le_bytes()[0]).collect()
    }

    fn char(&mut self) -> char {
        match self.below(8) {
            0..=2 => char::from(b' ' + u8::try_from(self.below(95)).unwrap()),
            3 => char::from(u8::try_from(self.below(32)).unwrap()),
            4 => *self.pick(&[
                '\0', '"', '\\', '\u{7f}', '\u{200b}', '\u{feff}', '\u{fffd}',
            ]),
            5 => *self.pick(&['é', 'а', 'ο', 'ß', '中', '😀', '\u{10ffff}', '\u{202e}']),
            _ => char::from_u32(u32::try_from(self.below(0x11_0000)).unwrap()).unwrap_or('x'),
        }
    }

    /// Arbitrary text of up to `max` characters (NUL and control characters included).
    pub fn text(&mut self, max: usize) -> String {
        let len = self.below(max + 1);
        (0..len).map(|_| self.char()).collect()
    }

    /// A word of the vocabulary, or arbitrary text.
    pub fn key(&mut self) -> String {
        if self.chance(70) {
            (*self.pick(&WORDS)).to_owned()
        } else {
            self.text(12)
        }
    }

    /// Integers and floats at the edges of JSON, `i64` and `u64`.
    pub fn number(&mut self) -> Value {
        match self.below(6) {
            0 => json!(self.below(7) as i64 - 3),
            1 => json!(*self.pick(&[i64::MIN, i64::MAX, -1, 0, 10_001])),
            2 => json!(u64::MAX),
            #[allow(clippy::cast_possible_wrap)]
            3 => json!(self.next() as i64),
            4 => Number::from_f64(*self.pick(&[f64::MAX, f64::MIN, 5e-324, -0.0, 0.5, 1e19]))
                .map_or(Value::Null, Value::Number),
            _ => Number::from_f64(f64::from_bits(self.next())).map_or(Value::Null, Value::Number),
        }
    }

    /// A JSON scalar.
    pub fn scalar(&mut self) -> Value {
        match self.below(7) {
            0 => Value::Null,
            1 => Value::Bool(self.chance(50)),
            2 | 3 => self.number(),
            4 => Value::String(self.key()),
            5 => Value::String(self.text(20)),
            _ => Value::String("x".repeat(*self.pick(&[4095, 4097, 70_000]))),
        }
    }

    /// Arbitrary JSON at most `depth` levels deep.
    pub fn json(&mut self, depth: usize) -> Value {
        if depth == 0 || self.chance(40) {
            return self.scalar();
        }
        let len = self.below(5);
        if self.chance(50) {
            Value::Array((0..len).map(|_| self.json(depth - 1)).collect())
        } else {
            Value::Object(self.object(len, depth - 1))
        }
    }

    /// An object of `len` keys from the vocabulary with arbitrary values.
    pub fn object(&mut self, len: usize, depth: usize) -> Map<String, Value> {
        (0..len).map(|_| (self.key(), self.json(depth))).collect()
    }

    /// JSON text nested `depth` levels, around `serde_json`'s limit of 128.
    pub fn deep_text(&mut self) -> String {
        let depth = *self.pick(&[100, 127, 128, 129, 5000]);
        let (open, close) = *self.pick(&[("[", "]"), ("{\"a\":", "}"), ("{\"$and\":[", "]}")]);
        format!("{}1{}", open.repeat(depth), close.repeat(depth))
    }
}
