/** The CLI's help texts. docs/cli.md repeats them: keep both in step (test/cli checks that every option is in both). */

export const MAIN_HELP = `anchorflow - propagate one edited frame (the anchor) to every frame of a clip

Usage:
  anchorflow propagate --frames <dir|video> --anchor <i>=<image> --out <dir> [options]
  anchorflow serve      JSON-lines engine on stdin/stdout (the process the panel spawns)
  anchorflow demo       render the bundled sample clip with an anchor edit into out/demo/
  anchorflow --help     this text;  anchorflow <command> --help  for one command
  anchorflow --version  the version

Exit status: 0 success, 2 bad input (one-line message says what to fix), 1 anything else (incl. Ctrl-C).
`;

export const PROPAGATE_HELP = `Usage:
  anchorflow propagate --frames <dir|video> --anchor <i>=<image> [--anchor <i>=<image> ...]
                       [--mask <i>=<image> ...] --out <dir> [--encode <file.mov|.mp4>] [--layer]
                       [--device auto|cpu|webgpu|dml|coreml|cuda] [--range <first>:<last>] [--fps <n>] [--json]

Propagates the edit made on the anchor frame(s) to every frame of the clip.

Options:
  --frames <dir|video>   A folder of frames (.png .jpg .jpeg .tif .tiff .webp, 8 or 16-bit, all the same size,
                         ordered by natural sort of the file name: f2 before f10) or a video file (decoded by ffmpeg).
  --anchor <i>=<image>   The edited version of frame i (zero-based index in that order; for a video, the decoded
                         frame number). Same size as the frames, no transparency. Repeat for several anchors.
  --mask <i>=<image>     Where the edit at frame i may change pixels (white = may change, black = keep exactly).
                         Grey or RGB use brightness; an image with alpha and one flat colour uses its alpha.
                         Without a mask the edit region is found from the anchor vs. its original frame.
  --out <dir>            Output folder (created if needed; must not be the frames folder or inside it). One PNG per
                         frame with the frame's base name (video: 00000.png, 00001.png, ...). 16-bit sources give
                         16-bit PNGs. Frames are staged and moved into place only when the whole run succeeds.
  --encode <file>        Also encode the result as a clip through ffmpeg: H.264 (.mp4 or .mov), or with --layer
                         ProRes 4444 with alpha (.mov only).
  --layer                Write the edit layer alone, with alpha (transparent where nothing changed), instead of
                         full frames: for a non-destructive overlay above the original clip.
  --device <name>        auto (default: tries the platform's GPU providers, falls back to CPU with a reason), cpu,
                         webgpu, dml (DirectML, Windows), coreml (macOS), cuda.
  --range <first>:<last> Render only frames first..last (zero-based, inclusive); they match a full run's frames.
  --fps <n>              Frame rate for --encode when --frames is a folder (default 25; a video keeps its own).
  --json                 Print one JSON event per line on stdout (progress, warning, done, error) and nothing else.
  -h, --help             This text.

Progress and ETA go to stderr. Ctrl-C cancels: nothing from the cancelled run is published and earlier results in
--out stay exactly as they were; the run stops at its next frame boundary. ffmpeg is found via FFMPEG_PATH, then ffmpeg-static,
then @ffmpeg-installer/ffmpeg, then ffmpeg on PATH.

Environment:
  ANCHORFLOW_MODELS      A folder with manifest.json and the stage models, instead of the bundled models/dist
                         (a studio's larger model for a stage must keep the manifest's input and output names).
  ANCHORFLOW_NO_WORKER=1 Run the pipeline on the main thread instead of a worker thread (debugging only;
                         decoding and neighbour searches, and rendering, keep their own threads).
  FFMPEG_PATH            The ffmpeg binary to use.

Example:
  anchorflow propagate --frames shot12/ --anchor 0=shot12_edit.png --out shot12_out/ --encode shot12.mp4
`;

export const SERVE_HELP = `Usage: anchorflow serve

Reads one JSON command per line on stdin and answers with JSON events carrying the command's id on stdout
(see client/shared/protocol.ts): propagate, cancel, ping, writeAnchorPsd, readAnchor, thumbnails.
One job runs at a time (ping and cancel are answered at once); the process exits when stdin closes.
`;

export const DEMO_HELP = `Usage: anchorflow demo [--out <dir>]

Renders the bundled synthetic sample clip (and its edited anchor) into out/sample/, propagates the edit into
out/demo/frames/, and writes out/demo/preview.png (source | anchor edit | result, for a few frames).
Needs no Adobe app and no network. --out changes the folder used instead of out/ (default: ./out).
`;
