# comfytop: two commands do all set-up on a fresh Debian machine.
#   make demo   install what is missing, build, start the monitor on the embedded mock with a demo workload
#   make test   install what is missing, build, run the whole test suite
#   make lint   swift format lint --strict with the checked-in .swift-format (.ci/run runs lint, then test)

SWIFT ?= swift
BIN := .build/debug/comfytop

.PHONY: all build deps demo test test-swift test-python mock bench chaos lint clean

all: build

deps:
	@./scripts/ensure-deps.sh

build: deps
	$(SWIFT) build --product comfytop

demo: build
	$(BIN) demo $(DEMO_ARGS)

mock: build
	$(BIN) mock $(MOCK_ARGS)

test: deps
	@./scripts/ensure-deps.sh --with-python
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	python3 Tests/python/real_client_smoke.py $(BIN)
	python3 Tests/python/cli_e2e.py $(BIN)
	python3 Tests/python/doctor_e2e.py $(BIN)
	python3 Tests/python/commands_e2e.py $(BIN)
	python3 Tests/python/job_model_e2e.py $(BIN)
	python3 Tests/python/fleet_e2e.py $(BIN)
	python3 Tests/python/fleet_import_e2e.py $(BIN)
	bash Tests/e2e/monitor_tmux.sh $(BIN)
	bash Tests/e2e/fleet_tmux.sh $(BIN)
	@# ComfyUI's newer server: its own checks, then the CLI and monitor checks again (about 30 s in all).
	python3 Tests/python/newer_server_e2e.py $(BIN)
	COMFYTOP_SERVER_VERSION=current python3 Tests/python/cli_e2e.py $(BIN)
	COMFYTOP_SERVER_VERSION=current python3 Tests/python/job_model_e2e.py $(BIN)
	COMFYTOP_SERVER_VERSION=current bash Tests/e2e/monitor_tmux.sh $(BIN)
	bash Tests/e2e/pictures_tmux.sh $(BIN)
	python3 Tests/python/monitor_download.py $(BIN)
	SIGNALS_QUICK=1 python3 Tests/python/monitor_signals.py $(BIN)
	@# The benchmarks once, on tiny inputs and the debug build: they must run, whatever the figures.
	@# B9 is left out: its peer (term-image, with Pillow) is a bench-only pip install; make bench runs it.
	BENCH_QUICK=1 BENCH_ONLY=B1,B2,B6,B7,B10 BENCH_BIN_DIR=.build/debug BENCH_OUT=.build/bench-smoke.json \
		python3 Benchmarks/run.py
	CHAOS_QUICK=1 CHAOS_BIN_DIR=.build/debug CHAOS_OUT=.build/chaos-smoke.json python3 Tests/chaos/run.py

bench:
	@./scripts/ensure-deps.sh --with-bench
	$(SWIFT) build -c release --product comfytop
	$(SWIFT) build -c release --product comfybench
	python3 Benchmarks/run.py

chaos:
	@./scripts/ensure-deps.sh
	$(SWIFT) build -c release --product comfytop
	python3 Tests/chaos/run.py

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Benchmarks

clean:
	rm -rf .build
