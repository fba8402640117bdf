;; big_table.wat: an initial table of 10,001 elements, one above the default.
(module
  (memory (export "memory") 1)
  (table 10001 funcref)
  (func (export "yoi_tool_call")))
