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

/// A box the session writes and the UI thread reads. Each write also wakes the UI thread (see `Wakeup`).
final class Mailbox<Value: Sendable>: @unchecked Sendable {
    private var value: Value
    private var version = 0
    private let lock = NSLock()
    let wakeup: Wakeup?
    init(_ value: Value, wakeup: Wakeup? = nil) {
        self.value = value
        self.wakeup = wakeup
    }
    func set(_ v: Value) {
        lock.withLock {
            value = v; version += 1
        }
        wakeup?.signal()
    }
    func get() -> (Value, Int) { lock.withLock { (value, version) } }
}

/// A pipe that wakes the UI thread out of its wait for keys: a new state is drawn at once instead of at the
/// next poll, and an idle monitor needs no polling at all. At most one byte is ever pending.
final class Wakeup: @unchecked Sendable {
    let readFD: Int32
    private let writeFD: Int32
    private var pending = false
    private let lock = NSLock()

    init?() {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        readFD = fds[0]
        writeFD = fds[1]
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    func signal() {
        let first = lock.withLock {
            defer { pending = true }
            return !pending
        }
        if first {
            var byte: UInt8 = 1
            _ = write(writeFD, &byte, 1)
        }
    }

    /// Called by the woken thread before it reads the state. The pipe is emptied first and the flag cleared
    /// after: the other way round, a signal in between would leave the flag set with no byte in the pipe, and
    /// the next states would not wake anyone.
    /// `between` runs after the pipe is emptied and before the flag is cleared (tests put a signal there).
    func drain(between: () -> Void = {}) {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readFD, &buffer, buffer.count) > 0 {}
        between()
        lock.withLock { pending = false }
    }
}

/// Runs the screen: curses on one dedicated thread, the session's IO in tasks; states cross through a mailbox.
public final class MonitorApp: @unchecked Sendable {
    let session: MonitorSession
    let options: MonitorOptions
    private let wakeup = Wakeup()
    private let states: Mailbox<MonitorState>
    private let stopFlag: Mailbox<Bool>

    public init(session: MonitorSession, options: MonitorOptions, initial: MonitorState) {
        self.session = session
        self.options = options
        states = Mailbox(initial, wakeup: wakeup)
        stopFlag = Mailbox(false, wakeup: wakeup)
    }

    /// The shortest time between two frames: a burst of events is drawn at most this often, and any event is on
    /// screen within about this long.
    static let frameInterval = 0.016
    /// How long a change waits for the ones right behind it (the server sends `progress_state` and `progress`
    /// for each step back to back): one frame for both.
    static let settle = 0.004

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
        terminal.wakeFD = wakeup?.readFD
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
        var lastMinute = -1
        var lastSize = (0, 0)
        var dirty = true
        var dirtySince = Date.distantPast
        var lastDraw = Date.distantPast
        var clockShown = true
        while !app.quit && !stopFlag.get().0 {
            // Wait for a key, a new state (the session wakes us), or the next moment a clock on screen changes.
            // A burst of states is drawn at most every `frameInterval`; an idle screen with no clock on it is
            // looked at once a minute (for relative times).
            let before = Date()
            let wait: Double
            if dirty {
                wait = max(lastDraw.addingTimeInterval(Self.frameInterval), dirtySince.addingTimeInterval(Self.settle))
                    .timeIntervalSince(before)
            } else if clockShown {
                wait = 1 - before.timeIntervalSince1970.truncatingRemainder(dividingBy: 1)
            } else {
                wait = 60 - before.timeIntervalSince1970.truncatingRemainder(dividingBy: 60)
            }
            // While a frame is already due, more states need not wake us: they are drawn with it.
            let key = terminal.readKey(timeoutMS: max(0, Int((wait * 1000).rounded(.up))), wakeable: !dirty)
            wakeup?.drain()
            let (monitor, version) = states.get()
            let now = Date()
            let second = Int(now.timeIntervalSince1970)
            let size = (terminal.width, terminal.height)
            if version != lastVersion || size != lastSize || (clockShown && second != lastSecond)
                || second / 60 != lastMinute || last == nil
            {
                if !dirty { dirtySince = version != lastVersion ? now : .distantPast }
                dirty = true
            }
            (lastVersion, lastSecond, lastMinute, lastSize) = (version, second, second / 60, size)
            if key == nil,
                !dirty || now.timeIntervalSince(lastDraw) < Self.frameInterval
                    || now.timeIntervalSince(dirtySince) < Self.settle
            {
                frames += 1
                if let maxFrames, frames >= maxFrames { break }
                continue
            }
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
            // The terminal writes only the rows that differ (nothing at all when none do).
            terminal.draw(canvas, previous: key == .resize ? nil : last)
            last = canvas
            dirty = false
            lastDraw = now
            clockShown = Self.showsClock(monitor, now: now)
            frames += 1
            if let maxFrames, frames >= maxFrames { break }
        }
    }

    /// Whether the screen shows something that changes with the clock alone: elapsed times and ETAs of running
    /// and queued jobs, a reconnect countdown, finished jobs about to leave the queue pane.
    static func showsClock(_ m: MonitorState, now: Date) -> Bool {
        if m.runningID != nil || !m.pendingIDs.isEmpty { return true }
        if case .connected = m.connection {} else { return true }
        return m.finishedIDs.prefix(20).contains {
            (m.jobs[$0]?.lingerUntil ?? .distantPast) > now.addingTimeInterval(-1)
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
