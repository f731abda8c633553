"""manage.py download_models, with the hub client replaced: tests never use the network.

The command is called as an instance, so these tests hold before config.ai is in INSTALLED_APPS.
"""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from config.ai.management.commands.download_models import Command

pytestmark = pytest.mark.usefixtures("ai_packages")


@pytest.fixture
def fetched(monkeypatch, tmp_path):
    import huggingface_hub

    calls = []

    def snapshot_download(repo_id, **options):
        calls.append((repo_id, options))
        return str(tmp_path / repo_id)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)
    return calls


@override_settings(
    AI_IMAGE_MODEL="org/base", AI_IMAGE_INPAINT_MODEL="org/inpaint", AI_IMAGE_CONTROLNET_MLSD="org/mlsd",
    AI_IMAGE_CONTROLNET_CANNY="org/canny", AI_IMAGE_CONTROLNET_DEPTH="", AI_MODEL_CACHE="/models",
)
def test_every_configured_model_is_fetched_into_the_cache(fetched):
    out = io.StringIO()

    call_command(Command(), stdout=out)

    assert [repo for repo, _ in fetched] == ["org/base", "org/inpaint", "org/mlsd", "org/canny"]
    base, mlsd = fetched[0][1], fetched[2][1]
    assert base["cache_dir"] == "/models"
    assert "*/diffusion_pytorch_model.safetensors" in base["allow_patterns"]
    assert "safety_checker/*" in base["ignore_patterns"]
    assert mlsd["allow_patterns"] == ["config.json", "diffusion_pytorch_model.safetensors"]
    assert "org/canny ->" in out.getvalue()


@override_settings(AI_IMAGE_MODEL="org/base", AI_IMAGE_INPAINT_MODEL="org/inpaint")
def test_only_fetches_the_named_parts(fetched):
    call_command(Command(), "--only", "inpaint", stdout=io.StringIO())

    assert [repo for repo, _ in fetched] == ["org/inpaint"]


@override_settings(AI_IMAGE_MODEL="org/base")
def test_a_hub_failure_is_a_command_error(monkeypatch):
    import huggingface_hub

    def unreachable(repo_id, **options):
        raise OSError("hub unreachable")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", unreachable)

    with pytest.raises(CommandError, match="Could not fetch org/base: hub unreachable"):
        call_command(Command(), "--only", "base", stdout=io.StringIO())
