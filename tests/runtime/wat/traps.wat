;; traps.wat: one trap kind per tool, chosen by the byte after "trap" in the
;; tool name: trap0 unreachable, trap1 memory out of bounds, trap2 integer
;; divide by zero, trap3 integer overflow, trap4 invalid conversion, trap5
;; indirect call type mismatch, trap6 uninitialized element, trap7 table out
;; of bounds.
(module
  (import "yoi:tool" "tool_name_len" (func $nlen (result i32)))
  (import "yoi:tool" "tool_name_read" (func $nread (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (type $v (func))
  (type $i (func (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $f)
  (func $f)
  (func (export "yoi_tool_call")
    (drop (call $nread (i32.const 0) (call $nlen)))
    (block $b7 (block $b6 (block $b5 (block $b4 (block $b3 (block $b2 (block $b1 (block $b0
      (br_table $b0 $b1 $b2 $b3 $b4 $b5 $b6 $b7 $b0
        (i32.sub (i32.load8_u (i32.const 4)) (i32.const 48))))
      unreachable)
      (drop (i32.load (i32.const 65535))) return)
      (drop (i32.div_s (i32.const 1) (i32.const 0))) return)
      (drop (i32.div_s (i32.const 0x80000000) (i32.const -1))) return)
      (drop (i32.trunc_f32_s (f32.const nan))) return)
      (drop (call_indirect (type $i) (i32.const 0))) return)
      (call_indirect (type $v) (i32.const 1)) return)
    (call_indirect (type $v) (i32.const 5))))
