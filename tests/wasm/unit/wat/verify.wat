;; verify.wat: functions whose compiled code has every kind of branch (a
;; loop, br_if, fused compare-and-branch, if/else, br_table, returns),
;; pairs, fused loads and stores, calls, and unreachable code that moves
;; values never pushed, for the code verifier's test (test_verify.c).
(module
  (memory 1)
  (table 2 funcref)
  (global $g (mut i32) (i32.const 0))
  (func $sum (export "sum") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (block $out
      (loop $top
        (br_if $out (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s
          (i32.add (local.get $s)
                   (i32.load (i32.add (local.get $i) (i32.const 4)))))
        (i32.store8 (i32.add (local.get $i) (i32.const 8)) (i32.const 1))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $top)))
    (global.set $g (local.get $s))
    (local.get $s))
  (func $pick (export "pick") (param $x i32) (result i32)
    (block $a
      (block $b
        (block $c
          (br_table $a $b $c (local.get $x)))
        (return (i32.const 3)))
      (return (i32.const 2)))
    (if (result i32) (i32.eq (local.get $x) (i32.const 7))
      (then (i32.const 1))
      (else (call $sum (local.get $x)))))
  (func (export "flt") (param f64 f64) (result f64 i32)
    (f64.add (local.get 0) (local.get 1))
    (select (i32.const 1) (i32.const 2) (f64.lt (local.get 0) (local.get 1))))
  (func (export "dead") (param i32) (result i32)
    (if (local.get 0)
      (then
        (block (result i32 i32)
          (i32.const 1)
          (block (unreachable) (br 1))
          (unreachable))
        (drop)
        (drop)))
    (call_indirect (param i32) (result i32) (local.get 0) (i32.const 0)))
  ;; the return moves three values nobody pushed (the frame has one slot)
  (func (export "dead3") (result i32 i32 i32) (unreachable)))
