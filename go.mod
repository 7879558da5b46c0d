module github.com/amplifylite/amplifylite

go 1.26.8
