//! A small reader for the `data.pkl` entry of a TorchScript archive: enough of Python's
//! pickle machine (protocols 2 to 4) to find the module's attributes and the tensors
//! they point to, so that buffers such as MACE's `r_max` and `atomic_numbers` can be read
//! without running Python (libtorch's C API, as tch exposes it, offers no attribute access
//! on a loaded module).
//!
//! Objects are built as plain values: a class instance becomes [`Value::Object`] with the
//! state its `BUILD` opcode gave it; a call to `torch._utils._rebuild_tensor_v2` becomes a
//! [`Value::Tensor`] naming its storage in the archive's `data/` folder. The memo keeps a
//! snapshot of each value when it is stored, which is exact for the immutable values
//! (tensors, strings, numbers, tuples) that attributes are read from.

use std::collections::HashMap;

/// A value built by the pickle machine.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Python `None`.
    None,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A byte string.
    Bytes(Vec<u8>),
    /// A tuple.
    Tuple(Vec<Value>),
    /// A list.
    List(Vec<Value>),
    /// A dictionary, in insertion order.
    Dict(Vec<(Value, Value)>),
    /// A global (`module.name`), e.g. a class.
    Global(String),
    /// An instance of a class, with the state set by `BUILD` (usually a dict).
    Object {
        /// The class, `module.name`.
        class: String,
        /// The instance's state.
        state: Box<Value>,
    },
    /// The result of calling a global that this reader does not interpret.
    Call {
        /// The callee, `module.name`.
        func: String,
        /// Its arguments.
        args: Box<Value>,
    },
    /// A persistent id (TorchScript: a storage reference tuple).
    PersistentId(Box<Value>),
    /// A tensor rebuilt from a storage of the archive.
    Tensor(TensorRef),
}

/// A tensor stored in a TorchScript archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorRef {
    /// Storage class name, e.g. `DoubleStorage`, `FloatStorage`, `LongStorage`.
    pub storage: String,
    /// The storage's file name under the archive's `data/` folder.
    pub key: String,
    /// Offset into the storage, in elements.
    pub offset: usize,
    /// Shape.
    pub shape: Vec<usize>,
    /// Strides, in elements.
    pub stride: Vec<usize>,
}

impl Value {
    /// The value stored under string key `key` of a dict, or of an object's dict state.
    pub fn attr(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Dict(items) => items.iter().find_map(|(k, v)| match k {
                Value::Str(s) if s == key => Some(v),
                _ => None,
            }),
            Value::Object { state, .. } => state.attr(key),
            _ => None,
        }
    }
}

/// Entry on the machine's stack: a value or a mark.
#[derive(Debug)]
enum Slot {
    Mark,
    Value(Value),
}

struct Machine<'a> {
    data: &'a [u8],
    pos: usize,
    stack: Vec<Slot>,
    memo: HashMap<u32, Value>,
}

/// Parses `data` (a pickle) and returns the value it builds.
///
/// Errors name the opcode and byte offset where the stream could not be followed.
pub fn parse(data: &[u8]) -> Result<Value, String> {
    let mut m = Machine {
        data,
        pos: 0,
        stack: Vec::new(),
        memo: HashMap::new(),
    };
    m.run()
}

impl Machine<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or_else(|| format!("pickle ends early at byte {}", self.pos))?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn line(&mut self) -> Result<String, String> {
        let rest = &self.data[self.pos..];
        let n = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| format!("unterminated text at byte {}", self.pos))?;
        let s = String::from_utf8_lossy(&rest[..n]).into_owned();
        self.pos += n + 1;
        Ok(s)
    }

    fn string(&mut self, n: usize) -> Result<String, String> {
        let at = self.pos;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| format!("invalid UTF-8 string at byte {at}"))
    }

    fn push(&mut self, v: Value) {
        self.stack.push(Slot::Value(v));
    }

    fn pop(&mut self) -> Result<Value, String> {
        match self.stack.pop() {
            Some(Slot::Value(v)) => Ok(v),
            Some(Slot::Mark) => Err(format!("unexpected mark at byte {}", self.pos)),
            None => Err(format!("stack underflow at byte {}", self.pos)),
        }
    }

    fn top(&mut self) -> Result<&mut Value, String> {
        let pos = self.pos;
        match self.stack.last_mut() {
            Some(Slot::Value(v)) => Ok(v),
            _ => Err(format!("no value on the stack at byte {pos}")),
        }
    }

    /// Pops everything down to the last mark.
    fn pop_mark(&mut self) -> Result<Vec<Value>, String> {
        let k = self
            .stack
            .iter()
            .rposition(|s| matches!(s, Slot::Mark))
            .ok_or_else(|| format!("no mark on the stack at byte {}", self.pos))?;
        let items = self
            .stack
            .drain(k..)
            .skip(1)
            .map(|s| match s {
                Slot::Value(v) => v,
                Slot::Mark => Value::None,
            })
            .collect();
        Ok(items)
    }

    fn memo_put(&mut self, key: u32) -> Result<(), String> {
        let v = self.top()?.clone();
        self.memo.insert(key, v);
        Ok(())
    }

    fn memo_get(&mut self, key: u32) -> Result<(), String> {
        let v = self
            .memo
            .get(&key)
            .cloned()
            .ok_or_else(|| format!("memo entry {key} missing at byte {}", self.pos))?;
        self.push(v);
        Ok(())
    }

    fn run(&mut self) -> Result<Value, String> {
        loop {
            let at = self.pos;
            let op = self.u8()?;
            match op {
                0x80 => {
                    self.u8()?; // PROTO
                }
                0x95 => {
                    self.take(8)?; // FRAME
                }
                b'.' => return self.pop(), // STOP
                b'(' => self.stack.push(Slot::Mark),
                b'N' => self.push(Value::None),
                0x88 => self.push(Value::Bool(true)),
                0x89 => self.push(Value::Bool(false)),
                b'K' => {
                    let v = self.u8()?;
                    self.push(Value::Int(v as i64));
                }
                b'M' => {
                    let v = self.u16()?;
                    self.push(Value::Int(v as i64));
                }
                b'J' => {
                    let v = self.u32()? as i32;
                    self.push(Value::Int(v as i64));
                }
                0x8a => {
                    // LONG1: little-endian two's complement of n bytes
                    let n = self.u8()? as usize;
                    let b = self.take(n)?;
                    if n > 8 {
                        return Err(format!("integer of {n} bytes at byte {at}"));
                    }
                    let mut v: i64 = 0;
                    for (k, &byte) in b.iter().enumerate() {
                        v |= (byte as i64) << (8 * k);
                    }
                    if n > 0 && n < 8 && b[n - 1] & 0x80 != 0 {
                        v -= 1i64 << (8 * n);
                    }
                    self.push(Value::Int(v));
                }
                b'G' => {
                    let b = self.take(8)?;
                    let v = f64::from_be_bytes(b.try_into().expect("8 bytes"));
                    self.push(Value::Float(v));
                }
                b'X' => {
                    let n = self.u32()? as usize;
                    let s = self.string(n)?;
                    self.push(Value::Str(s));
                }
                0x8c => {
                    let n = self.u8()? as usize;
                    let s = self.string(n)?;
                    self.push(Value::Str(s));
                }
                b'B' => {
                    let n = self.u32()? as usize;
                    let b = self.take(n)?.to_vec();
                    self.push(Value::Bytes(b));
                }
                b'C' => {
                    let n = self.u8()? as usize;
                    let b = self.take(n)?.to_vec();
                    self.push(Value::Bytes(b));
                }
                b')' => self.push(Value::Tuple(Vec::new())),
                b't' => {
                    let items = self.pop_mark()?;
                    self.push(Value::Tuple(items));
                }
                0x85..=0x87 => {
                    let n = (op - 0x84) as usize;
                    let mut items = Vec::with_capacity(n);
                    for _ in 0..n {
                        items.push(self.pop()?);
                    }
                    items.reverse();
                    self.push(Value::Tuple(items));
                }
                b']' => self.push(Value::List(Vec::new())),
                b'l' => {
                    let items = self.pop_mark()?;
                    self.push(Value::List(items));
                }
                b'a' => {
                    let v = self.pop()?;
                    match self.top()? {
                        Value::List(items) => items.push(v),
                        _ => return Err(format!("APPEND to a non-list at byte {at}")),
                    }
                }
                b'e' => {
                    let new = self.pop_mark()?;
                    match self.top()? {
                        Value::List(items) => items.extend(new),
                        _ => return Err(format!("APPENDS to a non-list at byte {at}")),
                    }
                }
                b'}' => self.push(Value::Dict(Vec::new())),
                b'd' => {
                    let items = self.pop_mark()?;
                    let dict = pairs(items, at)?;
                    self.push(Value::Dict(dict));
                }
                b's' => {
                    let v = self.pop()?;
                    let k = self.pop()?;
                    match self.top()? {
                        Value::Dict(items) => items.push((k, v)),
                        _ => return Err(format!("SETITEM on a non-dict at byte {at}")),
                    }
                }
                b'u' => {
                    let items = self.pop_mark()?;
                    let new = pairs(items, at)?;
                    match self.top()? {
                        Value::Dict(items) => items.extend(new),
                        _ => return Err(format!("SETITEMS on a non-dict at byte {at}")),
                    }
                }
                b'c' => {
                    let module = self.line()?;
                    let name = self.line()?;
                    self.push(Value::Global(format!("{module}.{name}")));
                }
                0x93 => {
                    let name = self.pop()?;
                    let module = self.pop()?;
                    match (module, name) {
                        (Value::Str(m), Value::Str(n)) => {
                            self.push(Value::Global(format!("{m}.{n}")))
                        }
                        _ => return Err(format!("STACK_GLOBAL without two strings at byte {at}")),
                    }
                }
                b'q' => {
                    let k = self.u8()? as u32;
                    self.memo_put(k)?;
                }
                b'r' => {
                    let k = self.u32()?;
                    self.memo_put(k)?;
                }
                0x94 => {
                    let k = self.memo.len() as u32;
                    self.memo_put(k)?;
                }
                b'h' => {
                    let k = self.u8()? as u32;
                    self.memo_get(k)?;
                }
                b'j' => {
                    let k = self.u32()?;
                    self.memo_get(k)?;
                }
                b'0' => {
                    self.stack.pop();
                }
                b'1' => {
                    self.pop_mark()?;
                }
                b'2' => {
                    let v = self.top()?.clone();
                    self.push(v);
                }
                b'Q' => {
                    let id = self.pop()?;
                    self.push(Value::PersistentId(Box::new(id)));
                }
                0x81 => {
                    // NEWOBJ: cls, args -> instance
                    let _args = self.pop()?;
                    let class = match self.pop()? {
                        Value::Global(g) => g,
                        other => return Err(format!("NEWOBJ of {other:?} at byte {at}")),
                    };
                    self.push(Value::Object {
                        class,
                        state: Box::new(Value::None),
                    });
                }
                b'R' => {
                    let args = self.pop()?;
                    let func = match self.pop()? {
                        Value::Global(g) => g,
                        other => return Err(format!("REDUCE of {other:?} at byte {at}")),
                    };
                    let v = reduce(func, args).map_err(|e| format!("{e} at byte {at}"))?;
                    self.push(v);
                }
                b'b' => {
                    let state = self.pop()?;
                    // BUILD on another kind of value keeps the value: its state is not
                    // needed to read module attributes
                    if let Value::Object { state: s, .. } = self.top()? {
                        **s = state;
                    }
                }
                other => {
                    return Err(format!(
                        "unsupported pickle opcode 0x{other:02x} at byte {at}"
                    ));
                }
            }
        }
    }
}

fn pairs(items: Vec<Value>, at: usize) -> Result<Vec<(Value, Value)>, String> {
    if !items.len().is_multiple_of(2) {
        return Err(format!("odd number of dict items at byte {at}"));
    }
    let mut out = Vec::with_capacity(items.len() / 2);
    let mut it = items.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        out.push((k, v));
    }
    Ok(out)
}

fn as_usizes(v: &Value) -> Option<Vec<usize>> {
    match v {
        Value::Tuple(items) | Value::List(items) => items
            .iter()
            .map(|x| match x {
                Value::Int(k) if *k >= 0 => Some(*k as usize),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// Interprets a call: tensor rebuilds and ordered dicts; anything else stays a [`Value::Call`].
fn reduce(func: String, args: Value) -> Result<Value, String> {
    match func.as_str() {
        "torch._utils._rebuild_tensor_v2" | "torch._utils._rebuild_tensor" => {
            let Value::Tuple(a) = &args else {
                return Err(format!("{func} without an argument tuple"));
            };
            let bad = || format!("{func} with unexpected arguments {args:?}");
            let Some(Value::PersistentId(id)) = a.first() else {
                return Err(bad());
            };
            // ('storage', torch.XStorage, key, location, numel)
            let Value::Tuple(id) = id.as_ref() else {
                return Err(bad());
            };
            let (Some(Value::Global(storage)), Some(Value::Str(key))) = (id.get(1), id.get(2))
            else {
                return Err(bad());
            };
            let offset = match a.get(1) {
                Some(Value::Int(k)) if *k >= 0 => *k as usize,
                _ => return Err(bad()),
            };
            let shape = a.get(2).and_then(as_usizes).ok_or_else(bad)?;
            let stride = a.get(3).and_then(as_usizes).ok_or_else(bad)?;
            let storage = storage.rsplit('.').next().unwrap_or(storage).to_owned();
            Ok(Value::Tensor(TensorRef {
                storage,
                key: key.clone(),
                offset,
                shape,
                stride,
            }))
        }
        "collections.OrderedDict" => Ok(Value::Dict(Vec::new())),
        // a container with its TorchScript type (e.g. `List[str]`): the value itself
        "torch.jit._pickle.restore_type_tag" => match args {
            Value::Tuple(mut a) if !a.is_empty() => Ok(a.swap_remove(0)),
            other => Ok(Value::Call {
                func,
                args: Box::new(other),
            }),
        },
        _ => Ok(Value::Call {
            func,
            args: Box::new(args),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_dict_of_simple_values() {
        // pickle.dumps({'a': 1, 'b': [True, None, 2.5], 'c': ('x', -3)}, protocol=2)
        let data: &[u8] = b"\x80\x02}q\x00(X\x01\x00\x00\x00aq\x01K\x01X\x01\x00\x00\x00bq\x02]q\x03(\x88NG@\x04\x00\x00\x00\x00\x00\x00eX\x01\x00\x00\x00cq\x04X\x01\x00\x00\x00xq\x05J\xfd\xff\xff\xff\x86q\x06u.";
        let v = parse(data).unwrap();
        assert_eq!(v.attr("a"), Some(&Value::Int(1)));
        assert_eq!(
            v.attr("b"),
            Some(&Value::List(vec![
                Value::Bool(true),
                Value::None,
                Value::Float(2.5)
            ]))
        );
        assert_eq!(
            v.attr("c"),
            Some(&Value::Tuple(vec![Value::Str("x".into()), Value::Int(-3)]))
        );
    }

    #[test]
    fn truncated_or_unknown_input_is_an_error() {
        assert!(parse(b"\x80\x02}q").unwrap_err().contains("ends early"));
        assert!(parse(b"\x80\x02\xff").unwrap_err().contains("opcode 0xff"));
    }
}
