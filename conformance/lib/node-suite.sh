# Sourced after server.sh by the JavaScript suites. run_node_suite NAME FILE runs FILE under node's
# built-in test runner (spec output on stdout), then prints the closing "NAME: N passed, M failed".
run_node_suite() {
  local name=$1 file=$2 tap rc passed failed
  [ -d "$CONFORMANCE_DIR/node_modules/@aws-sdk/client-amplifybackend" ] && [ -d "$CONFORMANCE_DIR/node_modules/aws-sdk" ] ||
    suite_failed "$name" "conformance/node_modules is missing: run make deps (scripts/deps.d/30-clients.sh)"
  tap="$_amplifylite_tmp/$name.tap"
  node --test --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" "$file"
  rc=$?
  passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" | tail -1)
  failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" | tail -1)
  passed=${passed:-0} failed=${failed:-0}
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  echo "$name: $passed passed, $failed failed"
  [ "$rc" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}
