"""`rpt train --plan` against the GPU runs it is calibrated on (rpt_train.plan.MEASURED_GPU):
within 10% of each measured peak, and the CUDA-only terms follow the fields that set them."""

from types import SimpleNamespace

import pytest

from rpt_train.plan import LOGPROB_TILE, MEASURED_GPU, estimate_memory


def _run(fields, **changes):
    fields = {**fields, **changes}
    cfg = SimpleNamespace(per_device_train_batch_size=fields["per_device_train_batch_size"],
                          max_completion_length=fields["max_completion_length"],
                          gradient_checkpointing=fields["gradient_checkpointing"],
                          steps_per_generation=fields["steps_per_generation"], gradient_accumulation_steps=1,
                          use_vllm=False, use_cpu=False, plan_gpus=1,
                          cast_lm_head_to_fp32=fields.get("cast_lm_head_to_fp32", False))
    model = SimpleNamespace(model_name_or_path=fields["model"], model_revision=None, dtype=fields["dtype"],
                            load_in_4bit=fields["load_in_4bit"], use_bnb_nested_quant=fields["use_bnb_nested_quant"],
                            use_peft=True, lora_r=fields["lora_r"])
    return estimate_memory(cfg, model, fields["prompt"])


@pytest.mark.parametrize("name", sorted(MEASURED_GPU))
def test_plan_within_ten_percent_of_each_measured_gpu_peak(name):
    fields, peak = MEASURED_GPU[name]
    total = _run(fields)["total"]
    assert 0.9 <= total / peak <= 1.1, (name, total, peak)


def test_logits_are_one_tile_of_the_fused_lm_head_not_the_whole_batch():
    fields, _ = MEASURED_GPU["qlora-8gb (r16, 4-bit, nested quant)"]
    short = _run(fields)["logits"]
    long = _run(fields, max_completion_length=8192)["logits"]
    assert long == pytest.approx(LOGPROB_TILE[0] * LOGPROB_TILE[1] * 2 / 2 ** 30)  # capped at the tile
    assert short < long
    assert _run(fields, max_completion_length=8192, cast_lm_head_to_fp32=True)["logits"] == pytest.approx(2 * long)


def test_nested_quantisation_shrinks_the_4bit_weights_and_activations_grow_with_length():
    fields, _ = MEASURED_GPU["qlora-8gb (r16, 4-bit, nested quant)"]
    assert _run(fields)["weights"] < _run(fields, use_bnb_nested_quant=False)["weights"]
    assert _run(fields, max_completion_length=4096)["activations"] > 4 * _run(fields)["activations"]
