import ComfyJSON
import Foundation

/// What each simulated node does while it "runs": sleeps, steps with progress and previews, files.
extension MockEngine {
    func runNode(_ run: inout RunState, id: String, gen: Int) async throws(NodeFailure) {
        let classType = run.classType(id)
        guard let def = baseCatalog.definition(classType) else {
            throw .exception(type: "KeyError", message: "'\(classType)'", traceback: [])
        }
        setProgress(&run, id, value: .double(0), max: .double(1), state: "running")
        if let clientID = run.clientID {
            lastNodeID = id
            send(
                "executing",
                .obj(("node", .string(id)), ("display_node", .string(id)), ("prompt_id", .string(run.item.promptID))),
                to: clientID)
        }
        try checkInterrupt(gen)
        if faults.failNodeID == id || faults.failClass == classType {
            throw .exception(
                type: "RuntimeError", message: "mock fault: node \(id) (\(classType)) failed on request",
                traceback: Self.traceback(module: "nodes.py", line: 1525, code: "raise RuntimeError(...)"))
        }
        let scale = 1 / max(config.speed, 0.0001)
        var stepMax: Int?
        switch def.behaviour {
        case .timed(let seconds):
            if isCurrent, classType == "CheckpointLoaderSimple", !modelsLoaded {
                setProgress(&run, id, value: .double(0), max: .double(1), state: "running", activity: "loading")
            }
            try await pause(seconds * scale, gen)
            run.sources[id] = source(of: run, id: id, classType: classType)
            if classType == "CheckpointLoaderSimple" { modelsLoaded = true }
        case .slowSteps:
            let count = run.input(id, "steps")?.intValue ?? 10
            let delay = Double(run.input(id, "delay_ms")?.intValue ?? 200) / 1000
            let preview = run.input(id, "send_preview")?.isTruthy ?? true
            let text = run.input(id, "send_text")?.isTruthy ?? false
            try await steps(&run, id: id, count: count, delay: delay, preview: preview, text: text, gen: gen)
            run.sources[id] = preview ? sceneSource(run, id) : upstreamSource(run, id)
            stepMax = count
        case .failAfter:
            let steps = run.input(id, "steps")?.intValue ?? 10
            let failAt = run.input(id, "fail_at")?.intValue ?? 3
            let delay = Double(run.input(id, "delay_ms")?.intValue ?? 200) / 1000
            try await self.steps(
                &run, id: id, count: failAt, of: steps, delay: delay, preview: false, text: false, gen: gen)
            throw .exception(
                type: "RuntimeError", message: "FailAfter: deliberate failure after \(failAt) of \(steps) steps",
                traceback: Self.traceback(
                    module: "custom_nodes/monitor_test_nodes/__init__.py", line: 90,
                    code: "raise RuntimeError(f\"FailAfter: deliberate failure after {fail_at} of {steps} steps\")"))
        case .sampler(let perStep):
            let steps = run.input(id, "steps")?.intValue ?? 20
            try await self.steps(
                &run, id: id, count: steps, delay: perStep * scale, preview: true, text: false, gen: gen)
            run.sources[id] = sceneSource(run, id)
            stepMax = steps
        case .saveImage(let temp):
            try await pause(0.02 * scale, gen)
            let prefix: String
            if temp {
                prefix =
                    "ComfyUI_temp_" + String((0..<5).map { _ in "abcdefghijklmnopqrstupvxyz".randomElement() ?? "a" })
            } else {
                prefix = run.input(id, "filename_prefix")?.pythonStr ?? "ComfyUI"
            }
            let picture = upstreamSource(run, id) ?? .sample(batch: 1)
            let saved: [(String, String)]
            do {
                saved = try files.save(prefix: prefix, temp: temp, source: picture)
            } catch {
                throw .exception(
                    type: "Exception", message: error.message,
                    traceback: Self.traceback(module: "folder_paths.py", line: 437, code: "raise Exception(err)"))
            }
            let images = saved.map { name, subfolder in
                let name = faults.outputName ?? name
                let subfolder = faults.outputSubfolder ?? subfolder
                return JSONValue.obj(
                    ("filename", .string(name)), ("subfolder", .string(subfolder)),
                    ("type", .string(temp ? "temp" : "output")))
            }
            let ui = JSONValue.obj(("images", .array(images)))
            run.outputs.append((id, ui))
            if run.clientID != nil { sendExecuted(run, id: id, ui: ui) }
        }
        if let stepMax {
            setProgress(&run, id, value: .int(stepMax), max: .int(stepMax), state: "finished")
        } else {
            setProgress(&run, id, value: .double(1), max: .double(1), state: "finished")
        }
        run.executed.append(id)
    }

    /// `count` progress steps (`of` total), each: sleep, interrupt check, `progress_state`, previews, `progress`,
    /// TEXT; with a tqdm bar in the log as samplers print it.
    func steps(
        _ run: inout RunState, id: String, count: Int, of total: Int? = nil, delay: Double, preview: Bool, text: Bool,
        gen: Int
    ) async throws(NodeFailure) {
        let total = total ?? count
        let started = ContinuousClock.now
        func elapsed() -> Double {
            let d = ContinuousClock.now - started
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        log(Tqdm.bar(n: 0, total: total, elapsed: 0))
        let pid = JSONValue.string(run.item.promptID)
        let metadata = supportsPreviewMetadata(run.clientID)
        let frames = preview ? sceneFrames(run, id) : nil
        for step in 0..<max(0, count) {
            try await pause(delay + Double(faults.slowStepMS) / 1000, gen)
            try checkInterrupt(gen)
            let value = step + 1
            setProgress(&run, id, value: .int(value), max: .int(total), state: "running")
            let picture = frames?.jpeg(step: value, of: total) ?? SampleImages.previewJPEG
            if preview, metadata, let clientID = run.clientID {
                let meta = JSONValue.obj(
                    ("node_id", .string(id)), ("prompt_id", pid), ("display_node_id", .string(id)),
                    ("parent_node_id", .null), ("real_node_id", .string(id)), ("image_type", "image/jpeg"))
                let json = meta.pythonJSONBytes
                sendBytes(Self.u32(4) + Self.u32(UInt32(json.count)) + json + picture, to: clientID)
            }
            send(
                "progress",
                .obj(("value", .int(value)), ("max", .int(total)), ("prompt_id", pid), ("node", .string(id))),
                to: run.clientID)
            if preview, !metadata {
                sendBytes(Self.u32(1) + Self.u32(1) + picture, to: run.clientID)
            }
            if text {
                let nodeBytes = Array(id.utf8)
                // send_progress_text has no sid: always broadcast, as the real server does.
                sendBytes(
                    Self.u32(3) + Self.u32(UInt32(nodeBytes.count)) + nodeBytes
                        + Array("\(run.classType(id)) step \(value)/\(total)".utf8), to: nil)
            }
            log(Tqdm.bar(n: value, total: total, elapsed: elapsed()))
        }
        if count >= total, total > 0 {
            let final = Tqdm.bar(n: total, total: total, elapsed: elapsed())
            log("")
            log(final)
            log("\n")
        }
    }

    func pause(_ seconds: Double, _ gen: Int) async throws(NodeFailure) {
        if seconds > 0 {
            do {
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            } catch {
                throw .abandoned
            }
        }
        if generation != gen { throw .abandoned }
    }

    func checkInterrupt(_ gen: Int) throws(NodeFailure) {
        if generation != gen { throw .abandoned }
        if interruptFlag {
            interruptFlag = false
            throw .interrupted
        }
    }

    /// The picture a node hands on: what its `image`/`images`/`samples` input carries.
    func upstreamSource(_ run: RunState, _ id: String) -> ImageSource? {
        for name in ["image", "images", "samples", "latent_image"] {
            if case .array(let link)? = run.input(id, name), link.count == 2,
                let source = run.sources[link[0].pythonStr]
            {
                return source
            }
        }
        return nil
    }

    func source(of run: RunState, id: String, classType: String) -> ImageSource? {
        switch classType {
        case "EmptyImage":
            return .solid(
                width: run.input(id, "width")?.intValue ?? 512, height: run.input(id, "height")?.intValue ?? 512,
                color: run.input(id, "color")?.intValue ?? 0, batch: run.input(id, "batch_size")?.intValue ?? 1)
        case "EmptyLatentImage": return .sample(batch: run.input(id, "batch_size")?.intValue ?? 1)
        case "LoadImage":
            let name = run.input(id, "image")?.pythonStr ?? ""
            return DataDirectory.contained(files.input, name).map { .file($0) }
        case "ImageInvert":
            if case .solid(let w, let h, let color, let batch)? = upstreamSource(run, id) {
                return .solid(width: w, height: h, color: 0xFF_FFFF - color, batch: batch)
            }
            return upstreamSource(run, id)
        case "ImageScale":
            if case .solid(_, _, let color, let batch)? = upstreamSource(run, id) {
                return .solid(
                    width: run.input(id, "width")?.intValue ?? 512, height: run.input(id, "height")?.intValue ?? 512,
                    color: color, batch: batch)
            }
            return upstreamSource(run, id)
        case "VAEDecode": return upstreamSource(run, id) ?? .sample(batch: 1)
        default: return upstreamSource(run, id)
        }
    }

    static func u32(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }

    /// A traceback shaped like the real executor's, ending in the node's own frame.
    static func traceback(module: String, line: Int, code: String) -> [String] {
        let dir = MockPaths.comfyDir
        return [
            "  File \"\(dir)/execution.py\", line 496, in execute\n    output_data, output_ui, has_subgraph, has_pending_tasks = await get_output_data(prompt_id, unique_id, obj, input_data_all, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, hidden_inputs=hidden_inputs)\n",
            "  File \"\(dir)/execution.py\", line 315, in get_output_data\n    return_values = await _async_map_node_over_list(prompt_id, unique_id, obj, input_data_all, obj.FUNCTION, allow_interrupt=True, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, hidden_inputs=hidden_inputs)\n",
            "  File \"\(dir)/execution.py\", line 289, in _async_map_node_over_list\n    await process_inputs(input_dict, i)\n",
            "  File \"\(dir)/execution.py\", line 277, in process_inputs\n    result = f(**inputs)\n             ^^^^^^^^^^^\n",
            "  File \"\(dir)/\(module)\", line \(line), in run\n    \(code)\n",
        ]
    }
}
