import ComfyJSON
import Foundation

/// Fetches a job's files through `/view` (the server's disk need not be local) and saves them safely:
/// written to a temporary file and linked into place, never over an existing file (`name_v2.png`), and names
/// from the server are checked before they touch the disk.
public struct Downloader: Sendable {
    public let api: ComfyAPI
    public var directory: URL
    /// Keep the server's subfolders under `directory`.
    public var keepSubfolders: Bool
    /// Write `NAME.json` beside each file (prompt, timing, where it came from) and `NAME.txt` with the prompt text.
    public var sidecars: Bool
    /// Also fetch temp files (PreviewImage outputs).
    public var includeTemp: Bool

    public init(
        api: ComfyAPI, directory: URL, keepSubfolders: Bool = true, sidecars: Bool = false, includeTemp: Bool = false
    ) {
        self.api = api
        self.directory = directory
        self.keepSubfolders = keepSubfolders
        self.sidecars = sidecars
        self.includeTemp = includeTemp
    }

    /// One saved file.
    public struct Saved: Sendable, Equatable {
        public var file: OutputFile
        public var path: String
        public var bytes: Int
    }

    /// Downloads every output of a finished job. Unsafe names are refused (listed in `refused`), never written.
    public func download(_ item: HistoryItem) async throws(ComfyError) -> (saved: [Saved], refused: [ComfyError]) {
        guard let record = RunRecord(server: api.endpoint.displayURL, item: item) else { return ([], []) }
        return try await download(record)
    }

    /// The one download path for a run by id: from the server's history while the server has the run, else from
    /// the files the local store remembers (the server restarted, or its history cap dropped the run). Nil when
    /// neither knows the run.
    public func download(run promptID: String, store: LocalHistory?) async throws(ComfyError)
        -> (saved: [Saved], refused: [ComfyError])?
    {
        let record: RunRecord
        if let item = try await api.history(promptID: promptID),
            let fromServer = RunRecord(server: api.endpoint.displayURL, item: item)
        {
            record = fromServer
        } else if let stored = try store?.record(server: api.endpoint.displayURL, promptID: promptID) {
            record = stored
        } else {
            return nil
        }
        return try await download(record)
    }

    /// Downloads a run's files; an unsafe name is refused and listed, and the other files are still saved.
    public func download(_ run: RunRecord) async throws(ComfyError) -> (saved: [Saved], refused: [ComfyError]) {
        var saved: [Saved] = []
        var refused: [ComfyError] = []
        for file in run.outputs where includeTemp || file.type != "temp" {
            do {
                saved.append(try await download(file, run: run))
            } catch {
                if case .unsafeFilename = error { refused.append(error) } else { throw error }
            }
        }
        return (saved, refused)
    }

    public func download(_ file: OutputFile, run: RunRecord?) async throws(ComfyError) -> Saved {
        try SafePath.checkFilename(file.filename)
        let parts = try SafePath.checkSubfolder(file.subfolder)
        var folder = directory
        if keepSubfolders { for part in parts { folder.appendPathComponent(part) } }
        // Streamed into the .part file as it arrives (a video need not fit in memory), then linked into place.
        let temp = try Self.partFile(folder: folder, name: file.filename)
        defer { unlink(temp.path) }
        let count = try await api.view(file, streamingTo: temp.path)
        let path = try Self.linkNew(temp, folder: folder, name: file.filename)
        if sidecars, let run { try writeSidecars(for: path, file: file, run: run) }
        return Saved(file: file, path: path, bytes: count)
    }

    /// A fresh `.name.XXXXXXXX.part` path in `folder` (made if missing).
    static func partFile(folder: URL, name: String) throws(ComfyError) -> URL {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ComfyError.io(path: folder.path, detail: "cannot make the folder: \(error.localizedDescription)")
        }
        return folder.appendingPathComponent(".\(name).\(UUID().uuidString.prefix(8)).part")
    }

    /// Writes `bytes` as `folder/name`, or `name_v2.ext`, `name_v3.ext`… if taken; returns the path written.
    public static func writeNew(_ bytes: [UInt8], folder: URL, name: String) throws(ComfyError) -> String {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ComfyError.io(path: folder.path, detail: "cannot make the folder: \(error.localizedDescription)")
        }
        let temp = folder.appendingPathComponent(".\(name).\(UUID().uuidString.prefix(8)).part")
        do {
            try Data(bytes).write(to: temp)
        } catch {
            throw ComfyError.io(path: temp.path, detail: "cannot write: \(error.localizedDescription)")
        }
        defer { unlink(temp.path) }
        return try linkNew(temp, folder: folder, name: name)
    }

    /// Links a written `.part` file into place as `folder/name`, or `name_v2.ext`… if taken; returns the path.
    static func linkNew(_ temp: URL, folder: URL, name: String) throws(ComfyError) -> String {
        let stem = (name as NSString).deletingPathExtension
        let ext = (name as NSString).pathExtension
        for version in 1...10_000 {
            let candidate = version == 1 ? name : (ext.isEmpty ? "\(stem)_v\(version)" : "\(stem)_v\(version).\(ext)")
            let target = folder.appendingPathComponent(candidate).path
            // link(2) fails if the target exists: no window in which another file could be overwritten.
            if link(temp.path, target) == 0 { return target }
            if errno != EEXIST {
                throw ComfyError.io(path: target, detail: "cannot write: " + String(cString: strerror(errno)))
            }
        }
        throw ComfyError.io(
            path: folder.appendingPathComponent(name).path, detail: "cannot write: 10,000 versions exist already")
    }

    func writeSidecars(for path: String, file: OutputFile, run: RunRecord) throws(ComfyError) {
        let base = (path as NSString).deletingPathExtension
        let prompt = run.prompt
        var timing: [(String, JSONValue)] = []
        if let start = run.startedAt { timing.append(("started_ms", .int(start))) }
        if let end = run.endedAt { timing.append(("ended_ms", .int(end))) }
        if let seconds = run.duration { timing.append(("seconds", .double(seconds))) }
        let sidecar: JSONValue = .obj(
            ("prompt_id", .string(run.promptID)), ("server", .string(api.endpoint.displayURL)),
            ("source", file.json), ("status", .string(run.status.rawValue)), ("timing", .object(timing)),
            ("prompt", prompt))
        let texts = PromptText.extract(prompt)
        do {
            try Data(sidecar.pythonJSONBytes).write(to: URL(fileURLWithPath: base + ".json"))
            if !texts.isEmpty {
                let body = texts.map { "\($0.role): \($0.text)" }.joined(separator: "\n") + "\n"
                try Data(body.utf8).write(to: URL(fileURLWithPath: base + ".txt"))
            }
        } catch {
            throw ComfyError.io(path: base + ".json", detail: "cannot write the sidecar: \(error.localizedDescription)")
        }
    }
}

/// The prompt texts of a graph: text inputs of text-encoder nodes, labelled positive/negative where a sampler says.
public enum PromptText {
    public struct Text: Sendable, Equatable {
        public var role: String
        public var text: String
    }

    public static func extract(_ prompt: JSONValue) -> [Text] {
        let nodes = prompt.objectValue ?? []
        var roles: [String: String] = [:]
        for (_, node) in nodes {
            for role in ["positive", "negative"] {
                if case .array(let link)? = node["inputs"]?[role], let id = link.first?.pythonStr { roles[id] = role }
            }
        }
        return nodes.compactMap { id, node in
            guard let text = node["inputs"]?["text"]?.stringValue ?? node["inputs"]?["prompt"]?.stringValue,
                (node["class_type"]?.stringValue ?? "").lowercased().contains("text")
                    || (node["class_type"]?.stringValue ?? "").lowercased().contains("prompt")
            else { return nil }
            return Text(role: roles[id] ?? "prompt", text: text)
        }
    }
}
