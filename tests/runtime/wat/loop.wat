;; loop.wat: yoi_tool_call never returns (bounded only by fuel, deadline or cancel).
(module
  (memory (export "memory") 1)
  (func (export "yoi_tool_call") (loop $l (br $l))))
