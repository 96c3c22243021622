"""A tiny random Llama with a tokenizer trained offline: the model of every offline test,
benchmark script and CI run (no hub is reachable there). Llama, not Qwen2, because qwen2
configs make transformers fetch the hub Qwen2 tokenizer class.
"""

from __future__ import annotations

from pathlib import Path

CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}</s>\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
SPECIAL_TOKENS = ["<unk>", "<s>", "</s>", "<pad>", "<think>", "</think>"]

_CORPUS = """Please reason step by step, and finish with a last line of the form ANSWER: 42.
The answer is \\boxed{\\frac{1}{2}}. Janet sells 16 - 3 - 4 = 9 duck eggs a day, so she makes 18 dollars.
def add(a, b):\n    return a + b\n```python\nprint(sum([1, 2, 3]))\n```
Question: Is the statement entailed or refuted? Options: (A) yes (B) no (C) maybe. ANSWER: B
Knights always tell the truth and knaves always lie. Zoey is a knight and Ava is a knave.
0 1 2 3 4 5 6 7 8 9 + - * / = ( ) [ ] { } < > , . ; : ! ? ' " # $ % & ^ _ | ~ @
"""


def build_tiny_llama(path: str | Path, vocab_size: int = 512, seed: int = 0) -> Path:
    """Write a ~0.5M-parameter random Llama and its byte-level BPE tokenizer to `path`."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    bpe.train_from_iterator([_CORPUS] * 4, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>",
        additional_special_tokens=["<think>", "</think>"])
    tokenizer.chat_template = CHAT_TEMPLATE
    tokenizer.save_pretrained(path)

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id, tie_word_embeddings=True)
    model = LlamaForCausalLM(config)
    # No max_new_tokens here: a saved one would override lm-eval's max_gen_toks.
    model.generation_config.max_length = None
    model.save_pretrained(path)
    return path


if __name__ == "__main__":
    import sys

    print(build_tiny_llama(sys.argv[1] if len(sys.argv) > 1 else "tiny-llama"))
