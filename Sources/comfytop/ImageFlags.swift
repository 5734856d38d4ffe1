import ArgumentParser
import ComfyImages

/// How pictures are drawn (`--images`): shared by `view`, `submit --wait --preview` and the monitor
/// (`@OptionGroup var images: ImageFlags`).
struct ImageFlags: ParsableArguments {
    @Option(help: "Pictures: auto, kitty, iterm, sixel, symbols or off (default: auto, detected from the terminal).")
    var images: ImageMode = .auto
}

extension ImageMode: ExpressibleByArgument {}
