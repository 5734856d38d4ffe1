import ComfyClient
import Foundation

/// Does the IO the screen asks for. Store reads and terminal writes happen at once on the UI thread (SQLite
/// answers in milliseconds) and their answer is returned; the session's actions run in tasks and answer later
/// through the inbox.
final class EffectRunner {
    let session: MonitorSession
    let reader: (any HistoryReader)?
    let terminal: any Terminal
    let inbox: Inbox
    let log: EventLog?
    let downloadDirectory: URL
    let server: String
    /// The fleet, when several servers are watched: actions go to the server `target` (the one on screen).
    var fleet: FleetSession?
    var target = 0
    /// Makes pictures off the UI thread (nil: none are made).
    var pictures: PictureWorker?

    init(
        session: MonitorSession, reader: (any HistoryReader)?, terminal: any Terminal, inbox: Inbox, log: EventLog?,
        downloadDirectory: URL, server: String
    ) {
        self.session = session
        self.reader = reader
        self.terminal = terminal
        self.inbox = inbox
        self.log = log
        self.downloadDirectory = downloadDirectory
        self.server = server
    }

    /// Runs one effect; returns the answer when it is ready at once.
    func run(_ effect: AppEffect) -> Msg? {
        switch effect {
        case .queryHistory(let query):
            return reader?.readPage(query).map(Msg.historyPage)
        case .openRecord(let id):
            return .record(reader?.readRecord(server: currentServer, promptID: id))
        case .findOutputPath(let id):
            let file = reader?.readRecord(server: currentServer, promptID: id)?.outputs.first
            return .outputPath(
                id: id, path: file.map { ($0.subfolder.isEmpty ? "" : $0.subfolder + "/") + $0.filename })
        case .copy(let text):
            terminal.writeRaw(Clipboard.osc52(text))
        case .notify(let text):
            terminal.writeRaw(Notification.sequence(text))
        case .log(let line):
            log?.append(line)
        case .interrupt(let id): answer { await $0.interrupt(id) }
        case .cancel(let id): answer { await $0.cancel(id) }
        case .download(let id):
            let directory = downloadDirectory
            answer { await $0.download(id, to: directory) }
        case .requeue(let id, let newSeed): answer { await $0.requeue(id, newSeed: newSeed) }
        case .deleteHistory(let id): answer { await $0.deleteFromHistory(id) }
        case .render(let request): pictures?.submit(request)
        }
        return nil
    }

    private func answer(_ action: @escaping @Sendable (MonitorSession) async -> ActionResult) {
        let session = fleet?.session(at: target) ?? session
        Task { [inbox] in inbox.post(.action(await action(session))) }
    }
}

extension EffectRunner {
    /// The server the screen is about: the fleet's target, else the one server.
    var currentServer: String {
        guard let fleet, fleet.members.indices.contains(target) else { return server }
        return fleet.members[target].endpoint.displayURL
    }
}
