# The two commands of README's quick start. Each installs what it needs first.
#   make run    builds corridor (release) and runs the baseline scenario on the bundled data
#   make test   runs the test suite
SCENARIO ?= Datasets/scenarios/baseline.yaml
OUT ?= out/baseline

.PHONY: run test dependencies build

dependencies:
	@scripts/install-dependencies

build: dependencies
	swift build -c release --product corridor

run: build
	.build/release/corridor run $(SCENARIO)
	.build/release/corridor run $(SCENARIO) --out $(OUT)

test: dependencies
	swift test
