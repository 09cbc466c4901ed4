# parkmatch — two commands for a fresh machine:
#   make run    install into .venv, print ranked leads for the 巩义 aluminium park from the
#               sample, then start the service and its workbench on
#               http://127.0.0.1:8000/app/ (Ctrl-C stops it quietly; PORT=8010 or
#               PARKMATCH_PORT choose another port, a busy one is refused before anything starts)
#   make test   install into .venv and run lint, type checks and the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PARK   ?= GY-LZ-AL

HOST   ?= $${PARKMATCH_HOST:-127.0.0.1}
PORT   ?= $${PARKMATCH_PORT:-8000}

.PHONY: install run leads serve account test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[service,distributed,notebooks,dev]'
	touch $(STAMP)

install: $(STAMP)

run: leads serve

leads: $(STAMP)
	$(BIN)/parkmatch rank --park $(PARK) --top 10

serve: $(STAMP)
	@echo "招商工作台 http://$(HOST):$(PORT)/app/   接口文档 http://$(HOST):$(PORT)/docs   （Ctrl-C 停止）"
	@$(BIN)/python -m service --host "$(HOST)" --port "$(PORT)"

account: $(STAMP)   # make account ACCOUNT=zhangsan NAME=张三  (asks for the password)
	$(BIN)/python -m service.web account add $(ACCOUNT) --name "$(NAME)"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_rank.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
