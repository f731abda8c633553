"""Tiny random-weight Stable Diffusion parts, built in the test (no download).

The real diffusers pipelines run on them on CPU in seconds. ``save_tiny_weights``
writes them as model folders so a worker process can load them through the
registry exactly as it would load real weights.
"""

import json
from pathlib import Path

SIZE = 64
BLOCKS = {"block_out_channels": (32, 64), "layers_per_block": 1, "norm_num_groups": 32}
UNET_BLOCKS = {
    "down_block_types": ("DownBlock2D", "CrossAttnDownBlock2D"),
    "up_block_types": ("CrossAttnUpBlock2D", "UpBlock2D"),
    "cross_attention_dim": 32,
}


def tiny_tokenizer(folder):
    """A CLIP tokenizer over printable ASCII, written to files and read back."""
    import transformers

    characters = [chr(code) for code in range(33, 127)]
    vocab = {token: index for index, token in enumerate(characters + [f"{c}</w>" for c in characters])}
    vocab |= {"<|startoftext|>": len(vocab), "<|endoftext|>": len(vocab) + 1}
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    tokenizer = transformers.CLIPTokenizer(
        vocab_file=str(folder / "vocab.json"), merges_file=str(folder / "merges.txt"), model_max_length=77
    )
    return tokenizer, vocab


def tiny_components(folder, *, unet_in_channels: int) -> dict:
    import diffusers
    import torch
    import transformers

    torch.manual_seed(0)
    tokenizer, vocab = tiny_tokenizer(folder)
    text_encoder = transformers.CLIPTextModel(transformers.CLIPTextConfig(
        vocab_size=len(vocab), hidden_size=32, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2,
        max_position_embeddings=77, projection_dim=32, bos_token_id=vocab["<|startoftext|>"],
        eos_token_id=vocab["<|endoftext|>"], pad_token_id=vocab["<|endoftext|>"],
    ))
    unet = diffusers.UNet2DConditionModel(
        sample_size=SIZE // 2, in_channels=unet_in_channels, out_channels=4, **BLOCKS, **UNET_BLOCKS
    )
    vae = diffusers.AutoencoderKL(
        in_channels=3, out_channels=3, latent_channels=4, sample_size=SIZE, **BLOCKS,
        down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2,
    )
    scheduler = diffusers.DDIMScheduler(
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", clip_sample=False,
        set_alpha_to_one=False, steps_offset=1,
    )
    return {"vae": vae.eval(), "text_encoder": text_encoder.eval(), "tokenizer": tokenizer, "unet": unet.eval(),
            "scheduler": scheduler}


def tiny_controlnet():
    import diffusers
    import torch

    torch.manual_seed(1)
    controlnet = diffusers.ControlNetModel(
        in_channels=4, conditioning_embedding_out_channels=(16, 32), **BLOCKS,
        down_block_types=UNET_BLOCKS["down_block_types"], cross_attention_dim=32,
    )
    # A new ControlNet's "zero convolutions" make it a no-op until trained; random
    # values there let the tests see the conditioning reach the UNet.
    zero_convs = [*controlnet.controlnet_down_blocks, controlnet.controlnet_mid_block,
                  controlnet.controlnet_cond_embedding.conv_out]
    for conv in zero_convs:
        torch.nn.init.normal_(conv.weight, std=0.2)
    return controlnet.eval()


def save_tiny_weights(folder: Path) -> dict[str, str]:
    """Write base, inpaint and MLSD ControlNet folders; return the settings that select them."""
    import diffusers

    folders = {key: folder / key for key in ("base", "inpaint", "mlsd")}
    for key, channels in (("base", 4), ("inpaint", 9)):
        (folder / f"{key}-tokenizer").mkdir(parents=True, exist_ok=True)
        components = tiny_components(folder / f"{key}-tokenizer", unet_in_channels=channels)
        diffusers.StableDiffusionPipeline(
            **components, safety_checker=None, feature_extractor=None, requires_safety_checker=False
        ).save_pretrained(folders[key])
    tiny_controlnet().save_pretrained(folders["mlsd"])
    return {
        "AI_IMAGE_PROVIDER": "diffusers", "AI_IMAGE_MODEL": str(folders["base"]),
        "AI_IMAGE_INPAINT_MODEL": str(folders["inpaint"]), "AI_IMAGE_CONTROLNET_MLSD": str(folders["mlsd"]),
        "AI_IMAGE_CONTROLNET_CANNY": "", "AI_IMAGE_CONTROLNET_DEPTH": "", "AI_IMAGE_DEVICE": "cpu",
    }


def save_tiny_ip_adapter(folder: Path, unet, *, weight_name: str = "ip-adapter_sd15.safetensors") -> Path:
    """A random-weight IP-Adapter for ``unet`` and a tiny CLIP image encoder, written as h94/IP-Adapter
    lays out its ``models`` folder (the adapter file and ``image_encoder/``)."""
    import torch
    import transformers
    from safetensors.torch import save_file

    torch.manual_seed(2)
    embed_dim, tokens, cross = 16, 4, unet.config.cross_attention_dim
    encoder = transformers.CLIPVisionModelWithProjection(transformers.CLIPVisionConfig(
        hidden_size=32, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2, image_size=32,
        patch_size=4, projection_dim=embed_dim,
    ))
    encoder.save_pretrained(folder / "image_encoder")
    tensors = {"image_proj.proj.weight": torch.randn(tokens * cross, embed_dim) * 0.5,
               "image_proj.proj.bias": torch.zeros(tokens * cross),
               "image_proj.norm.weight": torch.ones(cross), "image_proj.norm.bias": torch.zeros(cross)}
    # One key pair per cross-attention layer, numbered as the original checkpoints are (1, 3, 5, ...).
    widths = list(unet.config.block_out_channels)
    cross_layers = [name for name in unet.attn_processors if name.endswith("attn2.processor")]
    for number, name in enumerate(cross_layers):
        if name.startswith("mid_block"):
            hidden = widths[-1]
        elif name.startswith("up_blocks"):
            hidden = list(reversed(widths))[int(name[len("up_blocks.")])]
        else:
            hidden = widths[int(name[len("down_blocks.")])]
        for projection in ("to_k_ip", "to_v_ip"):
            tensors[f"ip_adapter.{2 * number + 1}.{projection}.weight"] = torch.randn(hidden, cross) * 0.5
    save_file(tensors, str(folder / weight_name))
    return folder
