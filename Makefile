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

# The release binary, the Swift tests, then the Python package's tests and the checks of
# what people open (report and planning page in Chromium, notebooks executed with
# nbclient) against the release binary. The tests are built without the default trait
# Server (SwiftNIO is compiled once, for the release binary): the server's tests drive the
# release binary's `corridor serve`.
test: dependencies test-tools
	swift build -c release --product corridor
	swift test --disable-default-traits
	python3 -m pytest -q Tests/python python/tests
