import ComfyClient
import Foundation

/// Runs the screen: curses on one dedicated thread, the session's IO in tasks. States cross through a mailbox,
/// action results through an inbox; everything becomes a `Msg` for `AppUpdate.update`, and its effects go to the
/// `EffectRunner`. The loop itself only waits, reads, feeds and draws.
public final class MonitorApp: @unchecked Sendable {
    let session: MonitorSession
    let options: MonitorOptions
    let reader: (any HistoryReader)?
    let wakeup = Wakeup()
    let states: Mailbox<MonitorState>
    let inbox: Inbox
    /// The signal that stops the screen (0: none yet).
    private let stopSignal: Mailbox<Int32>
    /// The fleet, when more than one server is watched (see `MonitorApp+Fleet`).
    var fleet: FleetSession?
    var fleetStates: Mailbox<FleetState>?

    public init(
        session: MonitorSession, options: MonitorOptions, initial: MonitorState, reader: (any HistoryReader)? = nil
    ) {
        self.session = session
        self.options = options
        self.reader = reader ?? session.store
        states = Mailbox(initial, wakeup: wakeup)
        inbox = Inbox(wakeup: wakeup)
        stopSignal = Mailbox(0, wakeup: wakeup)
    }

    /// The shortest time between two frames: a burst of events is drawn at most this often, and any event is on
    /// screen within about this long.
    static let frameInterval = 0.016
    /// The same for the fleet screen: fifty servers stepping at once change it all the time, and a frame of it
    /// costs more; 30 frames a second keep every change on screen within ~35 ms at half the CPU (B8).
    static let fleetFrameInterval = 0.033
    /// How long a change waits for the ones right behind it. None now: a step's `progress_state` and `progress`
    /// come back to back and the session hands the state on once, with the `progress` (a 4 ms settle cost a
    /// second wake-up a step, B3).
    static let settle = 0.0

    /// Runs until `q`, or SIGINT/SIGTERM/SIGHUP/SIGQUIT; the terminal is restored in every case. Returns the exit
    /// status: 0 after `q`, 128 + the signal's number after a signal (130 for SIGINT or ^C, 143 for SIGTERM).
    public func run() async -> Int32 {
        let sessionTask = Task { [states, session, fleet, fleetStates] in
            if let fleet, let fleetStates {
                await fleet.run { fleetStates.set($0) }
            } else {
                await session.run { states.set($0) }
            }
        }
        let signals = [SIGINT, SIGTERM, SIGHUP, SIGQUIT].map { sig -> any DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [stopSignal] in stopSignal.set(sig) }
            source.resume()
            return source
        }
        let quitSignal = await withCheckedContinuation { (done: CheckedContinuation<Int32?, Never>) in
            let thread = Thread { [self] in
                done.resume(returning: self.uiLoop())
            }
            thread.name = "comfytop-ui"
            thread.start()
        }
        for source in signals { source.cancel() }
        sessionTask.cancel()
        // Runs that ended just before the quit may still be on their way to the store (written off the socket's loop).
        for pending in [session] + (fleet?.sessions.compactMap { $0 } ?? []) { await pending.storeWritten() }
        let stopped = stopSignal.get().0
        if let sig = quitSignal ?? (stopped != 0 ? stopped : nil) { return 128 + sig }
        return 0
    }

    private func uiLoop() -> Int32? {
        let terminal = CursesTerminal(theme: options.theme, color: options.color, mouse: options.mouse)
        terminal.wakeFD = wakeup?.readFD
        defer { terminal.stop() }
        return loop(terminal)
    }

    /// The loop, terminal-agnostic so tests can drive it with a MemoryTerminal. Returns the signal the screen quit
    /// as, if any (^C read as a key).
    @discardableResult
    func loop(_ terminal: any Terminal, maxFrames: Int? = nil) -> Int32? {
        let (initial, _) = states.get()
        var model = AppModel(
            monitor: initial, now: Date(), width: terminal.width, height: terminal.height, readOnly: options.readOnly,
            hasStore: reader != nil, notify: options.notify, logging: options.logFile != nil)
        let runner = EffectRunner(
            session: session, reader: reader, terminal: terminal, inbox: inbox,
            log: options.logFile.map(EventLog.init(path:)), downloadDirectory: options.downloadDirectory,
            server: initial.serverURL)
        runner.fleet = fleet
        if let fleetStates { model.enterFleet(fleetStates.get().0) }
        model.app.pictures.enabled = options.pictures
        if options.pictures { runner.pictures = pictureWorker(terminal, server: initial.serverURL) }
        let glyphs = Glyphs(ascii: options.ascii)
        var last: Canvas?
        var frames = 0
        var lastVersion = -1
        var fleetVersion = -1
        // The state version `update` last saw (states seen by the wait above may not have been drawn yet).
        var fedVersion = -1
        var lastSecond = -1
        var lastMinute = -1
        var lastSize = (0, 0)
        var dirty = true
        var dirtySince = Date.distantPast
        var lastDraw = Date.distantPast
        var clockShown = true
        let frameInterval = fleetStates == nil ? Self.frameInterval : Self.fleetFrameInterval
        while !model.app.quit && stopSignal.get().0 == 0 {
            // Wait for a key, a new state (the session wakes us), or the next moment a clock on screen changes.
            // A burst of states is drawn at most every `frameInterval`; an idle screen with no clock on it is
            // looked at once a minute (for relative times).
            let before = Date()
            let wait: Double
            if dirty {
                wait = max(lastDraw.addingTimeInterval(frameInterval), dirtySince.addingTimeInterval(Self.settle))
                    .timeIntervalSince(before)
            } else if clockShown {
                wait = 1 - before.timeIntervalSince1970.truncatingRemainder(dividingBy: 1)
            } else {
                wait = 60 - before.timeIntervalSince1970.truncatingRemainder(dividingBy: 60)
            }
            // While a frame is already due, more states need not wake us: they are drawn with it.
            let key = terminal.readKey(timeoutMS: max(0, Int((wait * 1000).rounded(.up))), wakeable: !dirty)
            wakeup?.drain()
            var (monitor, version) = states.get()
            let fleetState = fleetStates?.get()
            if let fleetState { version = fleetState.1 }
            let now = Date()
            let second = Int(now.timeIntervalSince1970)
            let size = (terminal.width, terminal.height)
            if version != lastVersion || size != lastSize || (clockShown && second != lastSecond)
                || second / 60 != lastMinute || last == nil || !inbox.isEmpty
            {
                if !dirty { dirtySince = version != lastVersion ? now : .distantPast }
                dirty = true
            }
            (lastVersion, lastSecond, lastMinute, lastSize) = (version, second, second / 60, size)
            if key == nil,
                !dirty || now.timeIntervalSince(lastDraw) < frameInterval
                    || now.timeIntervalSince(dirtySince) < Self.settle
            {
                frames += 1
                if let maxFrames, frames >= maxFrames { break }
                continue
            }
            var messages: [Msg] = [.tick(now)]
            if size != (model.width, model.height) { messages.append(.resize(width: size.0, height: size.1)) }
            if let fleetState {
                if fleetState.1 != fleetVersion { messages.append(.fleet(fleetState.0)) }
                fleetVersion = fleetState.1
            } else if version != fedVersion {
                messages.append(.monitor(monitor))
            }
            fedVersion = version
            if let count = reader?.changeCount, count != model.storeCount { messages.append(.storeChanged(count)) }
            messages += inbox.takeAll()
            if let key, key != .resize { messages.append(Self.message(for: key)) }
            model = Self.feed(model, messages, runner)
            let canvas =
                model.fleet.map { _ in FleetView.frame(model, glyphs: glyphs) }
                ?? Screen.render(
                    app: model.app, monitor: model.monitor, now: now, width: model.width, height: model.height,
                    glyphs: glyphs)
            // The terminal writes only the rows that differ (nothing at all when none do).
            terminal.draw(canvas, previous: key == .resize ? nil : last)
            last = canvas
            dirty = false
            lastDraw = now
            clockShown = model.fleet != nil || Self.showsClock(model.monitor, now: now)
            frames += 1
            if let maxFrames, frames >= maxFrames { break }
        }
        return model.app.quitSignal
    }

    static func message(for key: Key) -> Msg {
        if case .mouse(let x, let y, let button) = key { return .mouse(x: x, y: y, button: button) }
        return .key(key)
    }

    /// Feeds messages through `update`, runs the effects, and feeds back the answers that are ready at once.
    static func feed(_ model: AppModel, _ messages: [Msg], _ runner: EffectRunner) -> AppModel {
        var model = model
        var queue = messages[...]
        while let msg = queue.popFirst() {
            let effects: [AppEffect]
            (model, effects) = AppUpdate.update(model, msg)
            runner.target = model.fleet?.current ?? 0
            for effect in effects {
                if let answer = runner.run(effect) { queue.append(answer) }
            }
        }
        return model
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
}
