;; invalid.wat: well-formed but fails validation (i32.add of an f32);
;; built with wat2wasm --no-check.
(module
  (func (export "f") (result i32)
    (i32.add (i32.const 1) (f32.const 2))))
