import CorridorCLI
CorridorCommand.main()
