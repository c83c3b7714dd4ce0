# The kernel side of tcpdoctor (src/bpf/NAME.bpf.c, NAME.h shared with the
# loader NAME.c), built the libbpf-tools way: vmlinux.h from the running
# kernel's BTF, clang -target bpf with CO-RE relocations, bpftool gen skeleton.
# Included by the Makefile. Without clang, bpftool or libbpf the binary is
# built without BPF (HAVE_BPF=0, also settable by hand) and the BPF features
# say so in one line when asked for.

.DEFAULT_GOAL := all
BPF_CLANG ?= clang
BPFTOOL ?= $(firstword $(shell command -v bpftool 2>/dev/null) \
		       $(wildcard /usr/sbin/bpftool /sbin/bpftool))
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
ifeq ($(origin HAVE_BPF),undefined)
HAVE_BPF := $(if $(and $(BPFTOOL),$(shell command -v $(BPF_CLANG) 2>/dev/null),\
	      $(shell $(PKG_CONFIG) --exists libbpf 2>/dev/null && echo y)),1,0)
endif

BPF_PROGS := $(sort $(wildcard src/bpf/*.bpf.c))
BPF_LOADERS := $(filter-out %.bpf.c,$(sort $(wildcard src/bpf/*.c)))
LIB_SRC += $(BPF_LOADERS)

ifeq ($(HAVE_BPF),1)
BPF_SKELS := $(BPF_PROGS:src/bpf/%.bpf.c=$(BUILD)/bpf/%.skel.h)
ALL_CPPFLAGS += -DTD_HAVE_BPF -I$(BUILD)/bpf
LIBS += $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf)

# vmlinux.h describes this kernel's types; CO-RE relocates every field access
# at load time, so a header from another kernel works too. Without BTF here
# (a build container), the trimmed copy in src/bpf/vmlinux_min.h is used, and
# then an edit of that copy rebuilds the header (and every program with it).
$(BUILD)/bpf/vmlinux.h: $(if $(wildcard $(VMLINUX_BTF)),,src/bpf/vmlinux_min.h)
	@mkdir -p $(dir $@)
	@if [ -r $(VMLINUX_BTF) ]; then \
		$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c >$@.tmp && mv $@.tmp $@; \
	else \
		echo "note: no $(VMLINUX_BTF): using src/bpf/vmlinux_min.h"; \
		cp src/bpf/vmlinux_min.h $@; \
	fi

# trace.bpf.c hands out summary slots with an atomic fetch-and-add, which
# needs the v3 instruction set (BPF_FETCH: Linux 5.12, as its recursion
# count does).
$(BUILD)/bpf/trace.bpf.o: BPF_ISA := -mcpu=v3

$(BUILD)/bpf/%.bpf.o: src/bpf/%.bpf.c src/bpf/%.h $(BUILD)/bpf/vmlinux.h
	$(BPF_CLANG) -g -O2 -target bpf $(BPF_ISA) -D__TARGET_ARCH_x86 -Wall -Werror \
		-I$(BUILD)/bpf -Isrc/bpf -c $< -o $@

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton $< >$@.tmp && mv $@.tmp $@

# Keep the objects (make would delete them as intermediates): bpftool and
# llvm-objdump read them when something goes wrong.
.SECONDARY: $(BPF_PROGS:src/bpf/%.bpf.c=$(BUILD)/bpf/%.bpf.o)

# Loaders include their skeleton.
$(BPF_LOADERS:%.c=$(BUILD)/obj/%.o): $(BPF_SKELS)
endif

# The build without kernel BTF (a build container) compiles every program
# against src/bpf/vmlinux_min.h; CI runs this so a field a program starts to
# read is added to the trimmed header too.
.PHONY: bpf-nobtf
bpf-nobtf:
	$(MAKE) --no-print-directory BUILD=$(BUILD)/nobtf VMLINUX_BTF=/nonexistent \
		$(BPF_PROGS:src/bpf/%.bpf.c=$(BUILD)/nobtf/bpf/%.bpf.o)
