import ComfyClient
import Foundation

/// Where a picture goes on the screen.
public enum PictureSlot: String, Sendable, Equatable, Hashable, CaseIterable {
    /// The live preview beside the node bars.
    case pane
    /// The selected output in the outputs pane.
    case output
    /// The full-screen viewer.
    case viewer
    /// The run open in the history detail.
    case history
}

/// What to draw, at what size: the renderer's job. A preview is named by the frame it must be at least as new as
/// (the renderer takes the newest frame there is when it gets to it, so it never draws a stale one).
public struct PictureRequest: Sendable, Equatable, Hashable {
    public enum Source: Sendable, Equatable, Hashable {
        case preview(promptID: String, seq: Int)
        case output(promptID: String, file: OutputFile)
    }

    public var slot: PictureSlot
    public var source: Source
    public var columns: Int
    public var rows: Int

    public init(slot: PictureSlot, source: Source, columns: Int, rows: Int) {
        self.slot = slot
        self.source = source
        self.columns = columns
        self.rows = rows
    }

    /// Whether a picture rendered for `self` answers `wanted`: the same thing at the same size, and for previews
    /// a frame at least as new.
    func satisfies(_ wanted: PictureRequest) -> Bool {
        guard slot == wanted.slot, columns == wanted.columns, rows == wanted.rows else { return false }
        switch (source, wanted.source) {
        case (.preview(let a, let seqA), .preview(let b, let seqB)): return a == b && seqA >= seqB
        default: return source == wanted.source
        }
    }
}

/// A request's answer: the picture, or why there is none (words for the pane).
public struct RenderedPicture: Sendable, Equatable {
    public var request: PictureRequest
    public var picture: CellPicture?
    /// The picture in a graphics protocol instead (kitty, iTerm2, sixel), placed by the view.
    public var graphic: CanvasGraphic?
    public var failure: String?

    public init(request: PictureRequest, picture: CellPicture?, graphic: CanvasGraphic? = nil, failure: String? = nil) {
        self.request = request
        self.picture = picture
        self.graphic = graphic
        self.failure = failure
    }

    /// Whether there is something to draw.
    public var drawable: Bool { picture != nil || graphic != nil }
}

/// The screen's pictures: whether the preview pane is wanted, what each slot shows and what was asked for.
public struct PictureState: Sendable, Equatable {
    public enum PaneMode: String, Sendable, Equatable {
        /// Shown once the server has sent a preview (a screen without pictures keeps its layout).
        case auto
        /// `p`: shown, with the reason when there is no picture.
        case shown
        /// `p` again: hidden.
        case hidden
    }

    /// `--images off`: no pictures at all.
    public var enabled = true
    public var pane: PaneMode = .auto
    /// The latest picture of each slot.
    public var shown: [PictureSlot: RenderedPicture] = [:]
    /// What was last asked of the renderer for each slot (so a request is made once).
    public var asked: [PictureSlot: PictureRequest] = [:]
    /// The output selected in the outputs pane (index into the selected job's outputs).
    public var outputIndex = 0
    /// The full-screen viewer, when open: the job and the output shown.
    public var viewer: Viewer?

    public struct Viewer: Sendable, Equatable {
        public var promptID: String
        public var index: Int
    }

    public init(enabled: Bool = true) { self.enabled = enabled }

    /// The picture a slot shows for `wanted` (an older frame of the same preview is shown until a newer one is
    /// ready; a picture of something else is not).
    public func picture(_ slot: PictureSlot, for wanted: PictureRequest?) -> RenderedPicture? {
        guard let wanted, let shown = shown[slot] else { return nil }
        switch (shown.request.source, wanted.source) {
        case (.preview(let a, _), .preview(let b, _)): return a == b ? shown : nil
        default: return shown.request.source == wanted.source ? shown : nil
        }
    }
}
