-- Schema of the capture sessions (run as root before capture-client.py).
CREATE USER tsr@'%' IDENTIFIED BY 'secret';
GRANT ALL ON *.* TO tsr@'%';
DROP USER IF EXISTS ''@'localhost';
CREATE DATABASE tdb;
USE tdb;
CREATE TABLE t (
  id INT NOT NULL PRIMARY KEY AUTO_INCREMENT,
  ti TINYINT, si SMALLINT, mi MEDIUMINT, bu BIGINT UNSIGNED,
  f FLOAT, d DOUBLE, dc DECIMAL(10,2),
  vc VARCHAR(20), ch CHAR(4), tx TEXT, bl BLOB,
  dt DATE, dtm DATETIME(6), ts TIMESTAMP NULL, tm TIME(3), yr YEAR, bt BIT(8),
  en ENUM('red','green'), st SET('a','b','c')
) DEFAULT CHARSET=utf8mb4;
INSERT INTO t VALUES
 (1, -7, 300, -70000, 18446744073709551615, 1.5, -2.25, 12345.67, 'hello', 'ab', 'some text', x'00ff10', '2024-02-29', '2024-02-29 13:45:01.123456', '2024-01-02 03:04:05', '-838:59:59.000', 2024, b'10100101', 'green', 'a,c'),
 (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (3, 0, 0, 0, 0, 0, 0, 0, '', '', '', '', '0000-00-00', '2020-01-01 00:00:00', '2020-01-01 10:00:00', '00:00:00', 1901, b'0', 'red', ''),
 (4, 127, -32768, 8388607, 1, 3.25e10, 1e-300, -0.01, 'ünï', 'x', 'y', REPEAT('z', 300), '1000-01-01', '2020-01-01 12:30:00', NULL, '01:02:03.500', 2155, b'11111111', NULL, 'b');
CREATE TABLE li (a INT, b VARCHAR(10));
DELIMITER //
CREATE PROCEDURE multi() BEGIN SELECT 1 AS one; SELECT 'a' AS x, 2.5 AS y; END//
CREATE PROCEDURE outp(IN a INT, OUT b INT, INOUT c VARCHAR(10)) BEGIN SET b = a * 2; SET c = CONCAT(c, '!'); SELECT a; END//
DELIMITER ;
SET GLOBAL local_infile = 1;
SET GLOBAL max_allowed_packet = 67108864;
