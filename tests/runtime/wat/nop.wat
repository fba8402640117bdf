;; nop.wat: the smallest valid plugin (it writes no output): the engine baseline of the benchmark.
(module
  (memory (export "memory") 1)
  (func (export "yoi_tool_call")))
