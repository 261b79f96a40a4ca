// How many runs a fast-check property makes: 1,000 in CI (CI set, or the
// project's .ci/run, which sets EPMD_SCAN_REQUIRE_REAL=1), fewer locally.
export const PROPERTY_RUNS =
  process.env.CI || process.env.EPMD_SCAN_REQUIRE_REAL === '1' ? 1000 : 100;
