import LiaisonCLI

await LiaisonCommand.start()
