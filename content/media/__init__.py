"""Media layer for lessons: slides, narration, composition and delivery (issue 7).

- `slides.LocalSlideRenderer` / `themes.theme_for`: the offline ImageProvider ("local_slides"); its
  layout model (`slides.layout_slide`), typeset maths (`mathtext`), labelled sketches (`sketches`)
  and phone-legible text sizes (`typography`).
- `piper.PiperSpeech`: the offline neural SpeechProvider ("piper", ONNX Runtime), phonemized by the
  espeak-ng program (`phonemes`); `speech.EspeakSpeech`: the recorded fallback ("espeak").
- `compose.compose_video(segments, out_dir) -> ComposedVideo` (raises `ComposeError`).
- `resilient.render_with_fallback(spec)` / `synthesize_with_fallback(text) -> MediaResult`.
- `storage.save_lesson_asset(path_in_storage, local_file) -> url`; `serving.serve_media(request, path)`.

Pure functions and classes: nothing here imports the pipeline's models.
"""
