;; limits.wat: small functions for the engine's limit and API tests.
(module
  (memory (export "memory") 1)
  (table $t 1 funcref)
  (func (export "spin") (loop $l (br $l)))
  (func $rec (export "recurse") (param i32) (result i32)
    (call $rec (i32.add (local.get 0) (i32.const 1))))
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  ;; 4 instructions: two consts, add, end
  (func (export "three") (result i32) (i32.add (i32.const 1) (i32.const 2)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "table_grow") (param i32) (result i32)
    (table.grow $t (ref.null func) (local.get 0)))
  (func (export "fill") (param i32 i32)
    (memory.fill (local.get 0) (i32.const 7) (local.get 1)))
  (func (export "copy") (param i32 i32 i32)
    (memory.copy (local.get 0) (local.get 1) (local.get 2)))
;; the add folds into the load; the sum still wraps at 2^32 before the
  ;; offset is added
  (func (export "load_add") (param i32) (result i32)
    (i32.load8_u offset=3 (i32.add (local.get 0) (i32.const 2))))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  ;; 8 instructions when the branch falls through (block, local.get, br_if,
  ;; nop, nop, end, i32.const, end); 5 when it is taken (the skipped nop,
  ;; nop, end are refunded)
  (func (export "early") (param i32) (result i32)
    (block $b (br_if $b (local.get 0)) (nop) (nop))
    (i32.const 7))
;; regression: 33 lazy local.gets overflow the compiler's lazy window and
  ;; are copied into the slots above the comparison's result (where its
  ;; operands were); the comparison must not be fused past those copies.
  ;; Returns 1 when p0 < p1.
  (func (export "fuse_window") (param i32 i32 i32) (result i32)
    (block $b
      local.get 0
      i32.const 0
      i32.add
      local.get 1
      i32.const 0
      i32.add
      i32.lt_u
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      local.get 2
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      drop
      br_if $b
      (return (i32.const 0)))
    (i32.const 1))
;; regression: the block's entry copies the lazy local.get 2 into the slot
  ;; of the comparison's second operand; br_if must not fuse past that.
  ;; Returns 1 when p0 < p1.
  (func (export "fuse_block") (param i32 i32 i32) (result i32)
    (block $b
      local.get 0
      i32.const 0
      i32.add
      local.get 1
      i32.const 0
      i32.add
      i32.lt_u
      local.get 2
      block
      end
      drop
      br_if $b
      (return (i32.const 0)))
    (i32.const 1))
;; regression (found by differential testing against wasm-interp): the
  ;; dropped i32.eqz left its result slot, which the if's condition
  ;; (local 1, copied home) reused; the if must not be fused with that
  ;; stale comparison. Returns local 3 (0) since local 1 is 0.
  (func (export "fuse_stale") (result i32) (local i32 i32 i32 i32 i32 i32)
    i32.const -47
    local.set 2
    block
      block (result i32)
        local.get 0
        local.get 4
        block (result i32)
          local.get 1
        end
        local.get 4
        select
        drop
      end
      i32.eqz
      drop
    end
    block (result i32)
      local.get 1
      if (result i32)
        block (result i32)
          local.get 2
        end
      else
        local.get 3
      end
    end)
  ;; sums 0..n-1 in a loop
  (func (export "sum") (param $n i32) (result i64)
    (local $i i32) (local $acc i64)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $acc))
)
