;; start_loop.wat: the start function never returns, so instantiation itself must be bounded.
(module
  (memory (export "memory") 1)
  (func $start (loop $l (br $l)))
  (start $start)
  (func (export "yoi_tool_call")))
