# Thin aliases for the scripts (the README's commands are the scripts themselves).
.PHONY: run test setup lint format migrations-check seed seed-reset ci

run:
	./scripts/run.sh

test:
	./scripts/test.sh

ci:
	./.ci/run

setup:
	./scripts/setup.sh

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: setup
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

migrations-check: setup
	DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python manage.py makemigrations --check --dry-run

seed: setup
	.venv/bin/python manage.py migrate --noinput
	.venv/bin/python manage.py seed_demo

seed-reset: setup
	.venv/bin/python manage.py migrate --noinput
	.venv/bin/python manage.py seed_demo --reset
