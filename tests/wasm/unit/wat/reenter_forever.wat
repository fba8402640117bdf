;; reenter_forever.wat: issue 10's F3: the guest calls a host function that
;; calls the guest again (host re-entry), with no end.
(module (import "env" "cb" (func $cb))
  (func (export "run") call $cb))
