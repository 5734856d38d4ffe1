import ComfyClient
import Foundation

/// Options of the monitor screen.
public struct MonitorOptions: Sendable {
    public var readOnly = false
    public var mouse = true
    public var color: String?
    public var theme: Theme = .default
    public var ascii: Bool
    public var notify = false
    public var downloadDirectory: URL
    public var logFile: String?

    public init(ascii: Bool, downloadDirectory: URL) {
        self.ascii = ascii
        self.downloadDirectory = downloadDirectory
    }

    /// ASCII glyphs unless the locale says UTF-8.
    public static func localeIsUTF8(_ env: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        let value =
            env["LC_ALL"].flatMap { $0.isEmpty ? nil : $0 } ?? env["LC_CTYPE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? env["LANG"] ?? ""
        return value.lowercased().contains("utf-8") || value.lowercased().contains("utf8")
    }
}

/// A box the session writes and the UI thread reads.
final class Mailbox<Value: Sendable>: @unchecked Sendable {
    private var value: Value
    private var version = 0
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func set(_ v: Value) {
        lock.withLock {
            value = v; version += 1
        }
    }
    func get() -> (Value, Int) { lock.withLock { (value, version) } }
}

/// Runs the screen: curses on one dedicated thread, the session's IO in tasks; states cross through a mailbox.
public final class MonitorApp: @unchecked Sendable {
    let session: MonitorSession
    let options: MonitorOptions
    private let states: Mailbox<MonitorState>
    private let stopFlag = Mailbox<Bool>(false)

    public init(session: MonitorSession, options: MonitorOptions, initial: MonitorState) {
        self.session = session
        self.options = options
        states = Mailbox(initial)
    }

    /// Runs until `q`, or SIGINT/SIGTERM/SIGHUP; the terminal is restored in every case.
    public func run() async {
        let sessionTask = Task { [states, session] in
            await session.run { states.set($0) }
        }
        let signals = [SIGINT, SIGTERM, SIGHUP].map { sig -> any DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [stopFlag] in stopFlag.set(true) }
            source.resume()
            return source
        }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread { [self] in
                self.uiLoop()
                done.resume()
            }
            thread.name = "comfytop-ui"
            thread.start()
        }
        for source in signals { source.cancel() }
        sessionTask.cancel()
    }

    private func uiLoop() {
        let terminal = CursesTerminal(theme: options.theme, color: options.color, mouse: options.mouse)
        MonitorApp.activeTerminal = terminal
        atexit { MonitorApp.activeTerminal?.stop() }
        defer {
            terminal.stop()
            MonitorApp.activeTerminal = nil
        }
        loop(terminal)
    }

    nonisolated(unsafe) static var activeTerminal: CursesTerminal?

    /// The loop, terminal-agnostic so tests can drive it with a MemoryTerminal.
    func loop(_ terminal: any Terminal, maxFrames: Int? = nil) {
        var app = AppState(readOnly: options.readOnly)
        let store = session.store
        if store != nil { app.history = HistoryBrowserState(server: states.get().0.serverURL) }
        var historyVersion = -1
        let glyphs = Glyphs(ascii: options.ascii)
        var last: Canvas?
        var seenUntil = states.get().0.messages.last?.time ?? .distantPast
        var frames = 0
        var lastVersion = -1
        var lastSecond = -1
        var lastSize = (0, 0)
        var lastActivity = Date()
        while !app.quit && !stopFlag.get().0 {
            // Keys wake the loop at once; new states are looked for every 33 ms while things change, every 250 ms
            // when idle (so an idle monitor costs next to nothing).
            let idle = Date().timeIntervalSince(lastActivity) > 2
            let key = terminal.readKey(timeoutMS: idle ? 250 : 33)
            let (monitor, version) = states.get()
            let now = Date()
            // Nothing new (no key, no new state, same second, same size): nothing to render.
            let second = Int(now.timeIntervalSince1970)
            let size = (terminal.width, terminal.height)
            if key == nil, version == lastVersion, second == lastSecond, size == lastSize, last != nil {
                frames += 1
                if let maxFrames, frames >= maxFrames { break }
                continue
            }
            if key != nil || version != lastVersion { lastActivity = now }
            (lastVersion, lastSecond, lastSize) = (version, second, size)
            if let key, key != .resize {
                if case .mouse(let x, let y, .left) = key {
                    let jobs = AppUpdate.visibleJobs(app, monitor, now: now)
                    let layout = Layout(
                        width: terminal.width, height: terminal.height, queueRows: jobs.count, outputRows: 0)
                    if let job = QueueView.job(atX: x, y: y, layout: layout, jobs: jobs, selectedID: app.selectedID) {
                        app.selectedID = job.id
                        app.follow = false
                        app.focus = .queue
                    }
                } else {
                    let (next, effects) = AppUpdate.update(
                        app, key: key, monitor: monitor, now: now, pageSize: max(1, terminal.height / 2))
                    app = next
                    for effect in effects { perform(effect, app: &app, terminal: terminal) }
                }
            }
            app = AppUpdate.settle(app, monitor, now: now)
            // New runs recorded while the history browser is open: read the store again.
            if app.screen == .history, version != historyVersion, monitor.finishedIDs.count > 0 {
                historyVersion = version
                app.history?.refresh(store)
            }
            if options.notify {
                for message in monitor.messages
                where message.time > seenUntil
                    && (message.level == .success || message.level == .error)
                {
                    terminal.writeRaw(Notification.sequence("comfytop: \(message.text)"))
                }
            }
            seenUntil = monitor.messages.last?.time ?? seenUntil
            let canvas = Screen.render(
                app: app, monitor: monitor, now: now, width: terminal.width, height: terminal.height, glyphs: glyphs)
            if canvas != last || key == .resize {
                terminal.draw(canvas, previous: key == .resize ? nil : last)
                last = canvas
            }
            frames += 1
            if let maxFrames, frames >= maxFrames { break }
        }
    }

    /// Appends a line to the `--log` file (nothing goes to stdout while curses owns the screen).
    static func append(_ line: String, to path: String) {
        guard
            let handle = FileHandle(forWritingAtPath: path)
                ?? {
                    FileManager.default.createFile(atPath: path, contents: nil)
                    return FileHandle(forWritingAtPath: path)
                }()
        else { return }
        handle.seekToEndOfFile()
        handle.write(Data(line.utf8))
        try? handle.close()
    }

    /// Effects the screen's thread does itself (store reads, clipboard), and those the session does.
    private func perform(_ effect: AppEffect, app: inout AppState, terminal: any Terminal) {
        let session = self.session
        let store = session.store
        let server = app.history?.query.server ?? ""
        switch effect {
        case .refreshHistory:
            app.history?.refresh(store)
            return
        case .openRecord(let id):
            app.history?.detail = try? store?.record(server: server, promptID: id)
            app.history?.detailScroll = 0
            return
        case .copy(let text):
            terminal.writeRaw(Clipboard.osc52(text))
            app.note = "copied \(text.prefix(40)) to the clipboard (OSC 52)"
            return
        case .copyOutputPath(let id):
            guard let file = (try? store?.record(server: server, promptID: id))??.outputs.first else {
                app.note = "this run has no output files"
                return
            }
            let path = (file.subfolder.isEmpty ? "" : file.subfolder + "/") + file.filename
            terminal.writeRaw(Clipboard.osc52(path))
            app.note = "copied \(path) to the clipboard (OSC 52)"
            return
        default:
            break
        }
        let directory = options.downloadDirectory
        Task {
            let text: String
            switch effect {
            case .interrupt(let id): text = await session.interrupt(id)
            case .cancel(let id): text = await session.cancel(id)
            case .download(let id), .downloadRecord(let id): text = await session.download(id, to: directory)
            case .requeue(let id, let newSeed): text = await session.requeue(id, newSeed: newSeed)
            case .deleteHistory(let id): text = await session.deleteFromHistory(id)
            default: return
            }
            await session.note(text, level: text.contains("failed") ? .error : .info)
        }
    }
}

/// The local clipboard through the terminal (OSC 52): works over SSH; wrapped for tmux.
public enum Clipboard {
    public static func osc52(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String
    {
        let sequence = "\u{1B}]52;c;\(Data(text.utf8).base64EncodedString())\u{07}"
        if environment["TMUX"] != nil {
            return "\u{1B}Ptmux;" + sequence.replacingOccurrences(of: "\u{1B}", with: "\u{1B}\u{1B}") + "\u{1B}\\"
        }
        return sequence
    }
}

/// The terminal bell and desktop notifications (OSC 9 and OSC 777) that reach the user's own machine over SSH;
/// inside tmux they are wrapped for passthrough.
public enum Notification {
    public static func sequence(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String
    {
        let clean = text.filter { $0 != "\u{07}" && $0 != "\u{1B}" && $0 != ";" }
        let osc9 = "\u{1B}]9;\(clean)\u{07}"
        let osc777 = "\u{1B}]777;notify;comfytop;\(clean)\u{07}"
        if environment["TMUX"] != nil {
            func wrap(_ s: String) -> String {
                "\u{1B}Ptmux;" + s.replacingOccurrences(of: "\u{1B}", with: "\u{1B}\u{1B}") + "\u{1B}\\"
            }
            return "\u{07}" + wrap(osc9) + wrap(osc777)
        }
        return "\u{07}" + osc9 + osc777
    }
}
