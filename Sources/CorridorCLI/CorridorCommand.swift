import ArgumentParser
import CorridorIO

/// The `corridor` command-line tool.
public struct CorridorCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "corridor",
        abstract: "Migration-flow analytics and simulation for the El Salvador, Guatemala, Honduras – Mexico – United States corridor.",
        discussion: """
            Models and scenarios are YAML (or JSON) files in the format of MODEL-FORMAT.md.
            Example:
              corridor run Datasets/examples/scenario.yaml --out out/example
            """,
        version: CorridorVersion.current,
        subcommands: commands
    )

    private static var commands: [any ParsableCommand.Type] {
        var commands: [any ParsableCommand.Type] = [RunCommand.self, ValidateCommand.self, CompareCommand.self, PlanCommand.self, SensitivityCommand.self,
                                                    ReportCommand.self, NotebookCommand.self, CalibrateCommand.self, BacktestCommand.self]
        #if Server
        commands.append(ServeCommand.self)
        #endif
        return commands
    }

    public init() {}

    /// Parses the command line and runs the command, ending cleanly on SIGINT or SIGTERM;
    /// as one rank of an MPI job when built with the `MPI` trait and started by mpirun or srun.
    public static func main() {
        #if MPI
        if let processes = MPIProcesses.joinIfLaunched() {
            Interruption.install(stopped: "the MPI job was stopped (a rank failed or was killed, or the job was cancelled)")
            run(as: processes)
        }
        #endif
        Interruption.install()
        main(nil)
    }
}
