#if MPI
import CMPI
import CorridorEngine
import CorridorIO
import Foundation

/// The ranks of an MPI job (`mpirun -np N corridor …` or `srun`), built with the `MPI`
/// trait: every rank runs the whole command, ensembles share their members among the
/// ranks (`Ensemble.distribution`), and rank 0 alone prints and writes. MPI is called
/// from the main thread only (MPI_THREAD_FUNNELED); threads within a rank run tiles.
final class MPIProcesses: MemberDistribution, @unchecked Sendable {
    let rank: Int
    let processes: Int
    /// stderr as it was before a rank other than 0 was silenced, for its last words.
    private let originalStandardError: Int32
    /// Bytes this rank sent and received point to point and by broadcast, the seconds it
    /// spent in MPI calls (waiting for slower ranks included) and merging partial results:
    /// `CORRIDOR_MPI_REPORT=1` prints them when the command ends, for sizing a cluster
    /// (Docs/cluster.md).
    private var sent = 0, received = 0, broadcast = 0, messages = 0
    private var secondsInMPI = 0.0, secondsMerging = 0.0

    /// Joins the job when this process was started by mpirun or srun; nil otherwise, so
    /// an MPI build run on its own behaves as the default build.
    static func joinIfLaunched() -> MPIProcesses? {
        let environment = ProcessInfo.processInfo.environment
        guard ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"].contains(where: { environment[$0] != nil }) else { return nil }
        var provided: Int32 = 0
        guard MPI_Init_thread(nil, nil, corridor_mpi_thread_funneled(), &provided) == MPI_SUCCESS else { return nil }
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(corridor_mpi_comm_world(), &rank)
        MPI_Comm_size(corridor_mpi_comm_world(), &size)
        return MPIProcesses(rank: Int(rank), processes: Int(size))
    }

    private init(rank: Int, processes: Int) {
        self.rank = rank
        self.processes = processes
        originalStandardError = dup(STDERR_FILENO)
        if rank > 0 {
            // Rank 0 speaks for the job: the others print nothing and write no file.
            let null = open("/dev/null", O_WRONLY)
            dup2(null, STDOUT_FILENO)
            dup2(null, STDERR_FILENO)
            close(null)
            OutputFiles.writesFiles = false
        }
    }

    // MPI counts are 32-bit: messages go in chunks of at most 1 GiB after their length.
    private static let chunk = 1 << 30

    func noteMerge(seconds: Double) { secondsMerging += seconds }

    /// Runs an MPI call, counting its time.
    private func timed<T>(_ body: () -> T) -> T {
        let start = MPI_Wtime()
        defer { secondsInMPI += MPI_Wtime() - start }
        return body()
    }

    func send(_ bytes: [UInt8], to other: Int) throws {
        sent += bytes.count
        messages += 1
        timed { sendBytes(bytes, to: other) }
    }

    func receive(from other: Int) throws -> [UInt8] {
        let bytes = timed { receiveBytes(from: other) }
        received += bytes.count
        return bytes
    }

    func broadcast(_ bytes: [UInt8]?) throws -> [UInt8] {
        let result = timed { broadcastBytes(bytes) }
        broadcast += result.count
        return result
    }

    private func sendBytes(_ bytes: [UInt8], to other: Int) {
        var length = UInt64(bytes.count)
        MPI_Send(&length, 8, corridor_mpi_byte(), Int32(other), 0, corridor_mpi_comm_world())
        bytes.withUnsafeBytes { buffer in
            for start in stride(from: 0, to: bytes.count, by: Self.chunk) {
                let count = min(Self.chunk, bytes.count - start)
                MPI_Send(buffer.baseAddress! + start, Int32(count), corridor_mpi_byte(), Int32(other), 0, corridor_mpi_comm_world())
            }
        }
    }

    private func receiveBytes(from other: Int) -> [UInt8] {
        var length: UInt64 = 0
        MPI_Recv(&length, 8, corridor_mpi_byte(), Int32(other), 0, corridor_mpi_comm_world(), corridor_mpi_status_ignore())
        var bytes = [UInt8](repeating: 0, count: Int(length))
        bytes.withUnsafeMutableBytes { buffer in
            for start in stride(from: 0, to: buffer.count, by: Self.chunk) {
                let count = min(Self.chunk, buffer.count - start)
                MPI_Recv(buffer.baseAddress! + start, Int32(count), corridor_mpi_byte(), Int32(other), 0,
                         corridor_mpi_comm_world(), corridor_mpi_status_ignore())
            }
        }
        return bytes
    }

    private func broadcastBytes(_ bytes: [UInt8]?) -> [UInt8] {
        var length = UInt64(bytes?.count ?? 0)
        MPI_Bcast(&length, 8, corridor_mpi_byte(), 0, corridor_mpi_comm_world())
        var result = bytes ?? [UInt8](repeating: 0, count: Int(length))
        result.withUnsafeMutableBytes { buffer in
            for start in stride(from: 0, to: buffer.count, by: Self.chunk) {
                let count = min(Self.chunk, buffer.count - start)
                MPI_Bcast(buffer.baseAddress! + start, Int32(count), corridor_mpi_byte(), 0, corridor_mpi_comm_world())
            }
        }
        return result
    }

    /// Writes `text` on stderr as it was at start-up (open on every rank).
    private func say(_ text: String) {
        _ = text.withCString { write(originalStandardError, $0, strlen($0)) }
    }

    /// Ends this rank normally; every rank gets here after the same command.
    func finish() -> Never {
        if ProcessInfo.processInfo.environment["CORRIDOR_MPI_REPORT"] == "1" {
            let line = "corridor: MPI rank \(rank) of \(processes): sent \(sent) bytes in \(messages) messages, received \(received), "
                + "broadcast \(broadcast); \(String(format: "%.3f", secondsInMPI)) s in MPI calls, "
                + "\(String(format: "%.3f", secondsMerging)) s merging\n"
            say(line)
        }
        MPI_Finalize()
        exit(0)
    }

    /// Ends the whole job: rank 0 prints `message` at once; another rank waits two seconds
    /// first (a failure every rank meets, such as a bad input file, is then reported by
    /// rank 0 alone, whose abort stops the others) and then names itself. MPI_Abort stops
    /// every rank, so none is left waiting for a message that will not come.
    func fail(_ message: String, status: Int32) -> Never {
        if rank > 0 { sleep(2) }
        let text = rank == 0 ? message : "corridor: MPI rank \(rank) of \(processes) failed: \(message.isEmpty ? "status \(status)" : message)"
        if !text.isEmpty { say(text + "\n") }
        MPI_Abort(corridor_mpi_comm_world(), status)
        exit(status)
    }
}

extension CorridorCommand {
    /// Runs the command as one rank of an MPI job and ends the process.
    static func run(as processes: MPIProcesses) -> Never {
        Ensemble.distribution = processes
        do {
            var command = try parseAsRoot(nil)
            try command.run()
            processes.finish()
        } catch {
            let status = exitCode(for: error)
            if status == .success {
                print(fullMessage(for: error))  // --help, --version (rank 0's stdout alone is open)
                processes.finish()
            }
            // Rank 0 has printed its error already when the message is empty (`reportingErrors`);
            // another rank repeats the last one it would have printed.
            let message = fullMessage(for: error)
            processes.fail(message.isEmpty && processes.rank > 0 ? lastPrintedError() : message, status: status.rawValue)
        }
    }
}
#endif
