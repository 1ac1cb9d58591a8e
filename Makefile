# Entry points for people and CI. Everything installs its own dependencies first.
#   make run          set up, build, and start a node on embedded defaults (data under ./data)
#   make test         set up, build, and run the fast test tier (unit, integration, fuzz smoke)
#   make test-long    sanitizer builds, long fuzzing, soak and crash campaigns, S3 suite on Ceph RGW
#   make bench-store  storage benchmark (prints figures and a JSON summary)
#   make bench-replication  replication vs rsync over loopback, and with 500 status clients attached
#   make bench-transport  raw chunk frames over one TLS link on loopback
#   make bench-catalog  catalog index and queries over 10,000 models
#   make bench-scale  100,000 documents + 1,000 models: startup, ls, select, memory, reconnect bytes
#   make bench-objectstore  put from and export to s3rver on loopback vs s3cmd (EDGESYNC_BENCH_SIZE_MIB)
#   make bench-deploy  release to serving on 10 edge deployments, the switch alone, a rollback
#   make bench-limits  send limits at 10 and 50 MiB/s held over 30 s, an urgent model during a bulk transfer
#   make bench-quota  a flood of versions into an edge with a disk quota: peak usage over the quota
#   make deb          the Debian package build/packages/edgesync_<version>_<arch>.deb (CPack)
#   make test-package the package checked unpacked (lintian, files, unit, programs) and the
#                     Kubernetes manifests validated offline with kubectl
#   make image        the container image (Containerfile) with buildah or podman
#   make demo         three nodes on loopback (cloud + 2 edge) with sample content and dashboards

JOBS ?= $(shell nproc)
BUILD ?= build
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 5
CMAKE_FLAGS ?=
IMAGE_FLAGS ?=

.PHONY: setup configure build run test test-long fuzz-build bench-store clean bench-formats \
  bench-replication demo bench-scale bench-transport bench-catalog bench-objectstore bench-deploy \
  deb test-package image bench-fanout bench-limits bench-quota

setup:
	bash scripts/setup.sh

configure: setup
	cmake --preset default -DEDGESYNC_FUZZ_BIN_DIR=$(CURDIR)/$(FUZZ_BUILD)/tests/fuzz-bin \
	  -DEDGESYNC_FUZZ_SECONDS=$(FUZZ_SECONDS) $(CMAKE_FLAGS) >/dev/null

build: configure
	cmake --build $(BUILD) -j $(JOBS)

fuzz-build: setup
	cmake --preset clang-fuzz >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_targets

run: build
	bash scripts/run.sh $(BUILD)

test: fuzz-build build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

# The package is made from the build tree: it needs the two programs, their man pages and
# CPack's run, not the tests.
deb: configure
	cmake --build $(BUILD) -j $(JOBS) --target deb

test-package: deb
	cd $(BUILD) && ctest --output-on-failure -L package

# Needs buildah or podman and debian:12 (from a registry, or deploy/make_base_image.sh); e.g.
# IMAGE_FLAGS="--pull=never --isolation chroot" where no OCI runtime runs (docs/operations.md).
image:
	bash deploy/build_image.sh $(IMAGE_FLAGS)

test-long: setup
	bash scripts/test-long.sh

# Benchmarks are outside the default build: each target builds what it runs.
bench-formats bench-store bench-transport bench-catalog bench-scale bench-deploy bench-limits bench-quota: bench-%: configure
	cmake --build $(BUILD) -j $(JOBS) --target bench_$*
	$(BUILD)/tests/bench/$*/bench_$*

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) build-asan build-tsan

bench-replication: configure
	cmake --build $(BUILD) -j $(JOBS) --target bench_replication bench_status_clients
	$(BUILD)/tests/bench/replication/bench_replication
	$(BUILD)/tests/bench/status/bench_status_clients

# As root: network namespaces, veth links and tc shaping (scripts/bench-fanout.sh --help).
bench-fanout: configure
	cmake --build $(BUILD) -j $(JOBS) --target edgesyncd edgesync
	bash scripts/bench-fanout.sh --build-dir $(BUILD)

# s3rver is installed into the build directory by the script the ctest fixture runs.
bench-objectstore: configure
	cmake --build $(BUILD) -j $(JOBS) --target bench_objectstore
	bash tests/integration/objectstore/install_s3rver.sh tests/integration/objectstore \
	  $(BUILD)/tests/integration/objectstore
	$(BUILD)/tests/bench/objectstore/bench_objectstore

demo: configure
	cmake --build $(BUILD) -j $(JOBS) --target edgesyncd edgesync
	bash scripts/demo.sh --build-dir $(BUILD)
