"""`make run` starts the emulator only when no platform is configured, and tells the children
(the demo's seeding among them) where it listens."""

from adv.embedded import emulator_commands


def test_the_emulator_starts_when_no_platform_is_configured():
    environ = {"EINVOICING_EMULATOR_PORT": "9911"}
    commands = emulator_commands(environ)
    assert [name for name, _argv in commands] == ["emulator"]
    assert commands[0][1][-2:] == ["--port", "9911"]
    assert environ["EINVOICING_EMULATOR_URL"] == "http://127.0.0.1:9911"


def test_a_configured_platform_or_a_refusal_starts_none():
    assert emulator_commands({"EINVOICING_PLATFORM_URL": "https://pa.example"}) == []
    assert emulator_commands({"EINVOICING_EMULATOR": "0"}) == []
