;; wrong_sig.wat: yoi:tool input_len imported with the wrong type.
(module
  (import "yoi:tool" "input_len" (func (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "yoi_tool_call")))
