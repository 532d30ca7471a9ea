import subprocess
import sys

import pytest

from monitoring.conf import SentryConfig, default_profiles_rate, profiler_is_safe
from monitoring.env import ConfigError
from tests.support.servers import ROOT, app_environment

# Django's criteria for a production key: 50+ characters, 5+ distinct ("x" * 50 is refused).
STRONG_KEY = "test-only-3f9c1a7e5b2d8046-Kx7Qm2Vz9Lp4Rt6Wn8Yb1Hc5Jd0"


def config(**environ: str) -> SentryConfig:
    return SentryConfig.from_env(environ, app_version="2.3.4", debug=False)


def test_sentry_config__development_defaults():
    cfg = config()
    assert cfg.dsn == ""
    assert not cfg.dsn_configured
    assert cfg.environment == "development"
    assert cfg.traces_sample_rate == 1.0
    assert cfg.profiles_sample_rate == (1.0 if profiler_is_safe() else 0.0)
    assert cfg.send_default_pii is False
    assert cfg.enable_logs is True
    # APP_VERSION and the checkout's commit (tests/ops/test_release.py covers the variants).
    assert cfg.release.startswith("toolbox@2.3.4")
    assert cfg.server_name  # defaults to the host name


def test_sentry_config__production_defaults_to_ten_percent():
    cfg = config(SENTRY_ENVIRONMENT="production")
    assert cfg.traces_sample_rate == 0.1
    assert cfg.profiles_sample_rate == (0.1 if profiler_is_safe() else 0.0)
    assert cfg.traces_rate_source == "default"


@pytest.mark.parametrize(
    ("python", "development", "production"),
    [((3, 11), 0.0, 0.0), ((3, 12), 1.0, 0.1), ((3, 13), 1.0, 0.1), ((4, 0), 1.0, 0.1)],
)
def test_default_profiles_rate__off_where_the_profiler_can_crash_the_process(
    python, development, production
):
    assert profiler_is_safe(python) is (python >= (3, 12))
    assert default_profiles_rate("development", python) == development
    assert default_profiles_rate("production", python) == production


def test_sentry_config__profiling_can_be_turned_on_explicitly_on_any_python():
    cfg = config(SENTRY_PROFILES_SAMPLE_RATE="0.25")
    assert cfg.profiles_sample_rate == 0.25
    assert cfg.profiles_rate_source == "env"
    assert config().profiles_rate_source == "default"


def test_sentry_config__staging_samples_like_production():
    assert config(SENTRY_ENVIRONMENT="staging").traces_sample_rate == 0.1


@pytest.mark.parametrize("environment", ["development", "DEV", "Local", "test"])
def test_sentry_config__development_environments_trace_everything_and_are_not_hardened(
    environment,
):
    cfg = config(SENTRY_ENVIRONMENT=environment)
    assert cfg.traces_sample_rate == 1.0
    assert not cfg.is_hardened


@pytest.mark.parametrize("environment", ["production", "Production", "prod", "staging", "qa"])
def test_sentry_config__every_other_environment_is_hardened(environment):
    cfg = config(SENTRY_ENVIRONMENT=environment)
    assert cfg.traces_sample_rate == 0.1
    assert cfg.is_hardened


def test_sentry_config__explicit_values_win():
    cfg = config(
        SENTRY_ENVIRONMENT="production",
        SENTRY_TRACES_SAMPLE_RATE="0.5",
        SENTRY_PROFILES_SAMPLE_RATE="0",
        SENTRY_SEND_DEFAULT_PII="true",
        SENTRY_ENABLE_LOGS="off",
        SENTRY_RELEASE="toolbox@7",
        SENTRY_SERVER_NAME="toolboxai-server",
        SENTRY_DSN="https://abc@o0.ingest.example.com/123",
    )
    assert cfg.traces_sample_rate == 0.5
    assert cfg.profiles_sample_rate == 0.0
    assert cfg.traces_rate_source == "env"
    assert cfg.send_default_pii is True
    assert cfg.enable_logs is False
    assert cfg.release == "toolbox@7"
    assert cfg.server_name == "toolboxai-server"
    assert cfg.dsn_configured


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SENTRY_TRACES_SAMPLE_RATE", "abc"),
        ("SENTRY_TRACES_SAMPLE_RATE", "1.5"),
        ("SENTRY_TRACES_SAMPLE_RATE", "nan"),
        ("SENTRY_PROFILES_SAMPLE_RATE", "-0.1"),
        ("SENTRY_SEND_DEFAULT_PII", "maybe"),
        ("SENTRY_ENABLE_LOGS", "perhaps"),
        ("SENTRY_DSN", "not-a-dsn"),
        ("SENTRY_DSN", "https://o0.ingest.sentry.io/123"),  # no public key
        ("SENTRY_DSN", "https://key@o0.ingest.sentry.io/project"),  # project id not a number
        ("SENTRY_DSN", "ftp://key@host/1"),
    ],
)
def test_sentry_config__invalid_value_names_the_variable(variable, value):
    with pytest.raises(ConfigError) as excinfo:
        config(**{variable: value})
    assert excinfo.value.variable == variable
    assert variable in str(excinfo.value)
    assert "expected" in str(excinfo.value)


def run_check(**environ: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=app_environment(environ),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"SENTRY_TRACES_SAMPLE_RATE": "fast"}, "SENTRY_TRACES_SAMPLE_RATE"),
        ({"SENTRY_PROFILES_SAMPLE_RATE": "2"}, "SENTRY_PROFILES_SAMPLE_RATE"),
        ({"SENTRY_DSN": "https://nokey.example.com/1"}, "SENTRY_DSN"),
        ({"SENTRY_SEND_DEFAULT_PII": "sometimes"}, "SENTRY_SEND_DEFAULT_PII"),
        ({"SENTRY_ENABLE_LOGS": "loud"}, "SENTRY_ENABLE_LOGS"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL"),
        ({"LOG_LEVEL": "CHATTY"}, "LOG_LEVEL"),
        ({"SENTRY_ENVIRONMENT": "production", "ALLOWED_HOSTS": "x"}, "SECRET_KEY"),
        (
            {"SENTRY_ENVIRONMENT": "production", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": ""},
            "ALLOWED_HOSTS",
        ),
    ],
)
def test_startup__bad_variable_stops_with_one_line(environ, variable):
    result = run_check(**environ)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert "Traceback" not in result.stderr


def test_startup__production_with_required_settings_starts():
    result = run_check(
        SENTRY_ENVIRONMENT="production", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="toolbox.example"
    )
    assert result.returncode == 0, result.stderr


def test_sentry_config__sentry_logs_level_by_environment():
    assert config().logs_level == "INFO"
    assert config(SENTRY_ENVIRONMENT="production").logs_level == "WARNING"
    assert config(SENTRY_ENVIRONMENT="staging").logs_level == "WARNING"
    assert config(SENTRY_ENVIRONMENT="production", SENTRY_LOGS_LEVEL="info").logs_level == "INFO"
    assert config(SENTRY_ENVIRONMENT="production", SENTRY_LOGS_LEVEL="").logs_level == "WARNING"


def test_sentry_config__unknown_sentry_logs_level_names_the_variable():
    with pytest.raises(ConfigError) as excinfo:
        config(SENTRY_LOGS_LEVEL="chatty")
    assert excinfo.value.variable == "SENTRY_LOGS_LEVEL"
