# The two commands of README's quick start. Each installs what it needs first.
#   make run    builds corridor (release) and runs the baseline scenario on the bundled data
#   make test   runs the test suite: swift test, then the report and notebook checks
SCENARIO ?= Datasets/scenarios/baseline.yaml
OUT ?= out/baseline

.PHONY: run test dependencies test-tools build

dependencies:
	@scripts/install-dependencies

build: dependencies
	swift build -c release --product corridor

run: build
	.build/release/corridor run $(SCENARIO)
	.build/release/corridor run $(SCENARIO) --out $(OUT)

test-tools:
	@scripts/install-test-tools

# Swift tests, then the Python package's tests and the checks of what people open (report
# in Chromium, notebooks executed with nbclient) against the release binary.
test: dependencies test-tools
	swift test
	swift build -c release --product corridor
	python3 -m pytest -q Tests/python python/tests
